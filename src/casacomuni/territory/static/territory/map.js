/*
 * Draws the outline of a province and of its comuni with Leaflet, from the GeoJSON named by the
 * map element's data attributes; no background tiles (nothing is fetched from other sites).
 *
 *   <div data-territory-map data-outline-url="…/confini.geojson" data-municipalities-url="…/comuni.geojson"
 *        data-municipality-url="…/comune/000000/" data-attribution="ISTAT, Openpolis — CC BY 4.0"
 *        data-error-message="…" aria-label="…"></div>
 *
 * The comuni table of the page is the text alternative of the map. Shared plumbing: maps.js.
 */
(function () {
  "use strict";

  var PROVINCE_STYLE = { color: "#0066cc", weight: 3, fill: false };
  var MUNICIPALITY_STYLE = { color: "#5c6f82", weight: 1, fillColor: "#0066cc", fillOpacity: 0.08 };
  var HIGHLIGHT_STYLE = { weight: 2, fillOpacity: 0.3 };

  function styleFor(feature) {
    return feature.properties.kind === "province" ? PROVINCE_STYLE : MUNICIPALITY_STYLE;
  }

  function bindMunicipality(element, feature, layer) {
    if (feature.properties.kind !== "municipality") {
      return;
    }
    layer.bindTooltip(feature.properties.name, { sticky: true });
    layer.on("mouseover", function () { layer.setStyle(HIGHLIGHT_STYLE); });
    layer.on("mouseout", function () { layer.setStyle(MUNICIPALITY_STYLE); });
    var template = element.getAttribute("data-municipality-url");
    if (template) {
      layer.on("click", function () {
        window.location.assign(template.replace("000000", feature.properties.istat_code));
      });
    }
  }

  function draw(element) {
    var map = CasaMaps.create(element);
    if (map === null) {
      return;
    }
    var urls = [element.getAttribute("data-municipalities-url"), element.getAttribute("data-outline-url")];
    Promise.all(urls.filter(Boolean).map(CasaMaps.fetchGeoJSON))
      .then(function (collections) {
        var group = L.featureGroup().addTo(map);
        collections.forEach(function (collection) {
          L.geoJSON(collection, {
            style: styleFor,
            onEachFeature: function (feature, layer) { bindMunicipality(element, feature, layer); }
          }).addTo(group);
        });
        CasaMaps.fit(map, group);
      })
      .catch(CasaMaps.giveUp(map, element));
  }

  CasaMaps.start("[data-territory-map]", draw);
})();

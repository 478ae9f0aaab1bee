/*
 * The indicators' maps: the comuni of a Province (or the Provinces of Italy) filled by the class of their
 * value, from outlines the territory app serves; no background tiles. The element gives the data:
 *
 *   <div data-indicator-map data-values-id="map-values" data-key="istat_code"
 *        data-boundary-url="…/comuni.geojson" data-outline-url="…/confini.geojson"
 *        data-link-template="/indicatori/comune/000000/?…" data-attribution="…" data-error-message="…"></div>
 *   <script type="application/json" id="map-values">{"026001": {"level": 2, "name": "…", "value": "3,5"}}</script>
 *
 * ``data-key`` is the feature property that joins a shape to its value (istat_code for comuni, sigla for
 * provinces); the link template's 000000 or XX is replaced by it. The ranking table of the page is the text
 * alternative of the map. Shared plumbing: territory/maps.js.
 */
(function () {
  "use strict";

  // The same colours as the legend (indicators.css), by class.
  var FILLS = ["#e6f0fa", "#b3d1f0", "#66a3e0", "#1a75d1", "#004d99"];
  var NO_VALUE = { color: "#b1b1b3", weight: 1, fillColor: "#ffffff", fillOpacity: 0.6 };
  var OUTLINE = { color: "#17324d", weight: 2, fill: false };

  function styleFor(entry) {
    if (!entry) {
      return NO_VALUE;
    }
    return { color: "#5c6f82", weight: 1, fillColor: FILLS[entry.level] || FILLS[0], fillOpacity: 0.85 };
  }

  function draw(element) {
    var values;
    try {
      values = JSON.parse(document.getElementById(element.getAttribute("data-values-id")).textContent);
    } catch (error) {
      CasaMaps.fail(element);
      return;
    }
    var map = CasaMaps.create(element);
    if (map === null) {
      return;
    }
    var key = element.getAttribute("data-key");
    var template = element.getAttribute("data-link-template");
    var urls = [element.getAttribute("data-boundary-url"), element.getAttribute("data-outline-url")];
    Promise.all(urls.filter(Boolean).map(CasaMaps.fetchGeoJSON))
      .then(function (collections) {
        var group = L.featureGroup().addTo(map);
        collections.forEach(function (collection) {
          L.geoJSON(collection, {
            style: function (feature) {
              if (feature.properties.kind === "province" && key !== "sigla") {
                return OUTLINE;
              }
              return styleFor(values[feature.properties[key]]);
            },
            onEachFeature: function (feature, layer) {
              if (feature.properties.kind === "province" && key !== "sigla") {
                return;
              }
              var code = feature.properties[key];
              var entry = values[code];
              var name = (entry && entry.name) || feature.properties.name;
              layer.bindTooltip(entry ? name + ": " + entry.value : name, { sticky: true });
              if (entry && template) {
                layer.on("click", function () {
                  window.location.assign(template.replace(key === "sigla" ? "XX" : "000000", code));
                });
              }
            }
          }).addTo(group);
        });
        CasaMaps.fit(map, group);
        element.setAttribute("data-rendered", "true");
      })
      .catch(CasaMaps.giveUp(map, element));
  }

  CasaMaps.start("[data-indicator-map]", draw);
})();

/*
 * Draws the outline of a province and of its comuni with Leaflet, from the GeoJSON named by the
 * map element's data attributes; no background tiles (nothing is fetched from other sites).
 *
 *   <div data-territory-map data-outline-url="…/confini.geojson" data-municipalities-url="…/comuni.geojson"
 *        data-municipality-url="…/comune/000000/" data-attribution="ISTAT, Openpolis — CC BY 4.0"
 *        data-error-message="…" aria-label="…"></div>
 *
 * The comuni table of the page is the text alternative of the map.
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

  function fetchGeoJSON(url) {
    return fetch(url, { headers: { Accept: "application/geo+json" } }).then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    });
  }

  function fail(element) {
    element.classList.add("territory-map--failed");
    element.textContent = element.getAttribute("data-error-message") || "";
  }

  function draw(element) {
    if (typeof L === "undefined") {
      fail(element);
      return;
    }
    var map = L.map(element, { zoomSnap: 0.25, scrollWheelZoom: false });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(element.getAttribute("data-attribution") || "");
    var urls = [element.getAttribute("data-municipalities-url"), element.getAttribute("data-outline-url")];
    Promise.all(urls.filter(Boolean).map(fetchGeoJSON))
      .then(function (collections) {
        var group = L.featureGroup().addTo(map);
        collections.forEach(function (collection) {
          L.geoJSON(collection, {
            style: styleFor,
            onEachFeature: function (feature, layer) { bindMunicipality(element, feature, layer); }
          }).addTo(group);
        });
        var bounds = group.getBounds();
        if (!bounds.isValid()) {
          throw new Error("no shapes");
        }
        map.fitBounds(bounds);
      })
      .catch(function () {
        map.remove();
        fail(element);
      });
  }

  function start() {
    document.querySelectorAll("[data-territory-map]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

/*
 * The national map of the agreements: each Province on the platform, drawn from the outlines of Italy's
 * provinces that the territory app serves in one file (territory:provinces_boundary), filled by the number
 * of Comuni that joined its services; the other provinces (level -1, or absent from the data) in outline.
 * No background tiles (nothing is fetched from other sites). The element's attributes give the data:
 *
 *   <div data-coverage-map data-provinces='[{"sigla":"TV","name":"Treviso","joined":3,"level":1}]'
 *        data-boundary-url="/territorio/province.geojson"
 *        data-attribution="ISTAT, Openpolis — CC BY 4.0" data-error-message="…"></div>
 *
 * The tables of the page are the text alternative of the map. Shared plumbing: territory/maps.js.
 */
(function () {
  "use strict";

  // The same colours as the legend (static/agreements/national.css), by level.
  var FILLS = ["#ebeced", "#cce0f5", "#80b3e6", "#3385d6", "#004d99"];

  // Provinces not on the platform (level -1): outline only, so that the map shows the whole of Italy.
  var ELSEWHERE = { color: "#b1b1b3", weight: 1, fillColor: "#ffffff", fillOpacity: 0.6 };

  function styleFor(level) {
    if (level < 0) {
      return ELSEWHERE;
    }
    return { color: "#5c6f82", weight: 1, fillColor: FILLS[level] || FILLS[0], fillOpacity: 0.85 };
  }

  function tooltipFor(province) {
    return province.joined === null ? province.name : province.name + ": " + province.joined;
  }

  function draw(element) {
    var provinces;
    try {
      provinces = JSON.parse(element.getAttribute("data-provinces") || "[]");
    } catch (error) {
      CasaMaps.fail(element);
      return;
    }
    var map = provinces.length ? CasaMaps.create(element) : null;
    if (map === null) {
      CasaMaps.fail(element);
      return;
    }
    var bySigla = {};
    provinces.forEach(function (province) {
      bySigla[province.sigla] = province;
    });
    CasaMaps.fetchGeoJSON(element.getAttribute("data-boundary-url"))
      .then(function (collection) {
        var layer = L.geoJSON(collection, {
          style: function (feature) {
            var province = bySigla[feature.properties.sigla];
            return styleFor(province ? province.level : -1);
          },
          onEachFeature: function (feature, shape) {
            var province = bySigla[feature.properties.sigla] || { name: feature.properties.name, joined: null };
            shape.bindTooltip(tooltipFor(province), { sticky: true });
          },
        }).addTo(map);
        CasaMaps.fit(map, layer);
      })
      .catch(CasaMaps.giveUp(map, element));
  }

  CasaMaps.start("[data-coverage-map]", draw);
})();

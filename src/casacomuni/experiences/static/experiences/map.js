/*
 * The national map of the experiences: Italy's provinces drawn from the outlines file the territory app serves
 * (territory:provinces_boundary), each Province with published experiences filled by their number and linked
 * to the list of its own; the others in outline. No background tiles. The element's attributes give the data:
 *
 *   <div data-experiences-map
 *        data-provinces='[{"sigla":"TV","name":"Treviso","count":2,"level":1,"url":"/rete/esperienze/?province=TV"}]'
 *        data-boundary-url="/territorio/province.geojson"
 *        data-attribution="ISTAT, Openpolis — CC BY 4.0" data-error-message="…"></div>
 *
 * The table of the page, with the same links, is the text alternative of the map. Shared plumbing:
 * territory/maps.js.
 */
(function () {
  "use strict";

  // The same colours as the legend (static/experiences/map.css), by level.
  var FILLS = ["#cce0f5", "#3385d6", "#004d99"];
  var NONE = { color: "#b1b1b3", weight: 1, fillColor: "#ffffff", fillOpacity: 0.6 };

  function styleFor(province) {
    if (!province) {
      return NONE;
    }
    return { color: "#5c6f82", weight: 1, fillColor: FILLS[province.level] || FILLS[0], fillOpacity: 0.85 };
  }

  function draw(element) {
    var provinces;
    try {
      provinces = JSON.parse(element.getAttribute("data-provinces") || "[]");
    } catch (error) {
      CasaMaps.fail(element);
      return;
    }
    var map = CasaMaps.create(element);
    if (map === null) {
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
            return styleFor(bySigla[feature.properties.sigla]);
          },
          onEachFeature: function (feature, shape) {
            var province = bySigla[feature.properties.sigla];
            if (!province) {
              shape.bindTooltip(feature.properties.name, { sticky: true });
              return;
            }
            shape.bindTooltip(province.name + ": " + province.count, { sticky: true });
            shape.on("click", function () {
              window.location.assign(province.url);
            });
          },
        }).addTo(map);
        CasaMaps.fit(map, layer);
      })
      .catch(CasaMaps.giveUp(map, element));
  }

  CasaMaps.start("[data-experiences-map]", draw);
})();

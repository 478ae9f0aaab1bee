/*
 * What every map of the platform shares (the province page's, the national coverage map…): a Leaflet map
 * with no background tiles (nothing is fetched from other sites), the ISTAT/Openpolis attribution from
 * the element's data-attribution, GeoJSON fetched from our own URLs, and a failure that shows the
 * element's data-error-message instead of a broken map. Each page's script calls
 * CasaMaps.start(selector, draw) with its own draw(element).
 */
(function () {
  "use strict";

  function fetchGeoJSON(url) {
    return fetch(url, { headers: { Accept: "application/geo+json" } }).then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    });
  }

  function fail(element) {
    element.classList.add("cdc-map--failed");
    element.textContent = element.getAttribute("data-error-message") || "";
  }

  // A map on ``element``, or null (and the failure message shown) when Leaflet did not load.
  function create(element) {
    if (typeof L === "undefined") {
      fail(element);
      return null;
    }
    var map = L.map(element, { zoomSnap: 0.25, scrollWheelZoom: false });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(element.getAttribute("data-attribution") || "");
    return map;
  }

  // Fit the map to ``layer``; a layer with no shapes is a failure.
  function fit(map, layer) {
    var bounds = layer.getBounds();
    if (!bounds.isValid()) {
      throw new Error("no shapes");
    }
    map.fitBounds(bounds);
  }

  function giveUp(map, element) {
    return function () {
      map.remove();
      fail(element);
    };
  }

  function start(selector, draw) {
    function drawAll() {
      document.querySelectorAll(selector).forEach(draw);
    }
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", drawAll);
    } else {
      drawAll();
    }
  }

  window.CasaMaps = { fetchGeoJSON: fetchGeoJSON, fail: fail, create: create, fit: fit, giveUp: giveUp, start: start };
})();

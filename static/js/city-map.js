/* The map of cities (templates/cities/includes/map.html, cities/map.py),
   drawn with Leaflet (xstatic-leaflet's copy, served as static/leaflet/). The page works without
   this file: the figure stays hidden and the page's list says the same.
   With it:
   - the figure is shown, with a marker per city: a link with the city's
     name (and, where the page counts something per city, the count), in
     the page's tab order, on a Leaflet divIcon built with DOM calls (no
     inline markup or style: the CSP forbids them);
   - lines between cities (the transfers on /network/), not focusable (the
     page's table lists them);
   - tiles from the configured server; when there is none, or a tile fails
     to load, Natural Earth's country outlines (/map/countries.geojson) are
     drawn in a pane under the tiles, so that the map still shows where the
     cities are. */
(function () {
  "use strict";

  if (!window.L) return;
  var OUTLINES_PANE = "outlines";

  function readData(canvas) {
    var block = document.getElementById(canvas.getAttribute("data-map-data"));
    try {
      return JSON.parse(block.textContent);
    } catch (error) {
      return { markers: [], lines: [] };
    }
  }

  function markerElement(item) {
    var link = document.createElement(item.url ? "a" : "span");
    link.className = "city-map__marker";
    if (item.url) link.href = item.url;
    var label = document.createElement("span");
    label.className = "city-map__label";
    var name = document.createElement("span");
    name.className = "city-map__name";
    name.textContent = item.name;
    label.appendChild(name);
    link.appendChild(label);
    if (item.count !== undefined && item.count !== null) {
      var count = document.createElement("span");
      count.className = "city-map__count";
      count.textContent = String(item.count);
      var counted = document.createElement("span");
      counted.className = "visually-hidden";
      counted.textContent = " " + item.counted;
      count.appendChild(counted);
      label.appendChild(document.createTextNode(" "));
      label.appendChild(count);
    }
    return link;
  }

  function addOutlines(map, url) {
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (outlines) {
        if (!outlines) return;
        L.geoJSON(outlines, {
          pane: OUTLINES_PANE,
          interactive: false,
          style: { className: "city-map__country", weight: 0.6, fillOpacity: 1 }
        }).addTo(map);
      })
      .catch(function () { /* no outlines: the markers alone */ });
  }

  function draw(figure) {
    var canvas = figure.querySelector(".city-map__canvas");
    if (!canvas) return;
    var data = readData(canvas);
    figure.hidden = false;
    var map = L.map(canvas, { worldCopyJump: true, scrollWheelZoom: false, minZoom: 1 });
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    map.createPane(OUTLINES_PANE).classList.add("city-map__outlines");
    var outlinesUrl = canvas.getAttribute("data-outlines-url");
    var tileUrl = canvas.getAttribute("data-tile-url");
    var outlinesAdded = false;
    function outlines() {
      if (outlinesAdded) return;
      outlinesAdded = true;
      addOutlines(map, outlinesUrl);
    }
    map.attributionControl.addAttribution(
      '<a href="https://www.naturalearthdata.com/">Natural Earth</a>'
    );
    if (tileUrl) {
      L.tileLayer(tileUrl, {
        attribution: canvas.getAttribute("data-tile-attribution") || "",
        maxZoom: 18,
        referrerPolicy: "strict-origin-when-cross-origin"
      }).on("tileerror", outlines).addTo(map);
    } else {
      outlines();
    }

    (data.lines || []).forEach(function (line) {
      L.polyline([line.from, line.to], {
        className: "city-map__line" + (line.dashed ? " city-map__line--dashed" : ""),
        interactive: false,
        weight: 3
      }).addTo(map);
    });

    var points = [];
    (data.markers || []).forEach(function (item) {
      var point = [item.lat, item.lon];
      points.push(point);
      L.marker(point, {
        icon: L.divIcon({ className: "city-map__icon", html: markerElement(item), iconSize: null }),
        keyboard: false, // the link inside is the focusable element
        interactive: false,
        title: ""
      }).addTo(map);
    });

    if (points.length === 1) {
      map.setView(points[0], 4);
    } else if (points.length > 1) {
      map.fitBounds(points, { paddingTopLeft: [20, 20], paddingBottomRight: [90, 20], maxZoom: 6 });
    } else {
      map.setView([20, 0], 1);
    }
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("figure.city-map"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

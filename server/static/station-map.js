// Station maps in the console (Leaflet): place and move a walk's stations, and colour the report's stations by
// their mean. Every page that has a map also lists its stations, so it still works where tiles or script fail.
(function () {
  "use strict";
  if (!window.L) return;

  function tiles(map, element) {
    var notice = element.parentNode.querySelector("[data-map-notice]");
    var failed = 0;
    var layer = L.tileLayer(element.getAttribute("data-tile-url"), {
      maxZoom: 19, attribution: element.getAttribute("data-attribution") || ""
    }).addTo(map);
    layer.on("tileerror", function () {
      failed += 1;
      if (failed === 3 && notice) notice.hidden = false;
    });
    layer.on("tileload", function () { if (notice) notice.hidden = true; failed = 0; });
  }

  function fit(map, points) {
    if (points.length > 1) map.fitBounds(L.latLngBounds(points), {padding: [30, 30], maxZoom: 17});
    else if (points.length === 1) map.setView(points[0], 16);
    else map.setView([50.0755, 14.4378], 12);
  }

  // --- the walk page: place a station by clicking, move it by dragging ---------------------------------------
  function walkMap(element) {
    var map = L.map(element);
    tiles(map, element);
    var editable = element.hasAttribute("data-place-url");
    var choose = document.getElementById("place-station");
    var status = document.querySelector("[data-map-status]");
    var markers = {};
    var points = [];

    function say(text) { if (status) status.textContent = text; }

    function save(code, latlng) {
      var body = new FormData();
      body.append("lat", latlng.lat.toFixed(6));
      body.append("lon", latlng.lng.toFixed(6));
      body.append("csrf_token", element.getAttribute("data-csrf"));
      say("Saving " + code + "…");
      return fetch(element.getAttribute("data-place-url").replace("__CODE__", encodeURIComponent(code)), {
        method: "POST", body: body, credentials: "same-origin", headers: {"Accept": "application/json"}
      }).then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error(data.error || String(response.status));
          return data;
        });
      }).then(function (data) {
        place(code, L.latLng(data.lat, data.lon));
        var cell = document.querySelector('[data-station="' + code + '"] [data-coordinates]');
        if (cell) cell.textContent = data.lat.toFixed(5) + ", " + data.lon.toFixed(5);
        var option = choose && choose.querySelector('option[value="' + code + '"]');
        if (option) option.textContent = option.textContent.replace(" (not placed)", "");
        say("Saved " + code + " at " + data.lat.toFixed(5) + ", " + data.lon.toFixed(5) + ".");
        return data;
      }).catch(function (error) {
        say("Could not save " + code + ": " + error.message);
      });
    }

    function place(code, latlng) {
      var marker = markers[code];
      if (!marker) {
        marker = L.marker(latlng, {draggable: editable, title: code, alt: "Station " + code, keyboard: true});
        marker.bindTooltip(code, {permanent: true, direction: "top", offset: [-15, -15]});
        marker.on("dragend", function () { save(code, marker.getLatLng()); });
        marker.addTo(map);
        markers[code] = marker;
      } else {
        marker.setLatLng(latlng);
      }
    }

    document.querySelectorAll("[data-station]").forEach(function (row) {
      var lat = parseFloat(row.getAttribute("data-lat"));
      var lon = parseFloat(row.getAttribute("data-lon"));
      if (!isNaN(lat) && !isNaN(lon)) {
        place(row.getAttribute("data-station"), L.latLng(lat, lon));
        points.push([lat, lon]);
      }
    });
    fit(map, points);
    if (editable) {
      map.on("click", function (event) {
        var code = choose && choose.value;
        if (!code) { say("Choose a station to place first."); return; }
        save(code, event.latlng);
      });
    }
    element.stationMap = {map: map, markers: markers};
  }

  // --- the report: a marker per station coloured by its mean for the chosen topic -----------------------------
  function colour(mean, low, high) {
    if (isNaN(mean)) return "#8c959f";
    var share = Math.max(0, Math.min(1, (mean - low) / (high - low)));
    // red (worst) through amber to green (best)
    var hue = Math.round(share * 120);
    return "hsl(" + hue + ", 70%, 42%)";
  }

  function reportMap(element) {
    var map = L.map(element);
    tiles(map, element);
    // A scale may start at 0: only a missing or unreadable bound falls back to 1–5.
    var low = parseFloat(element.getAttribute("data-scale-min"));
    var high = parseFloat(element.getAttribute("data-scale-max"));
    if (isNaN(low)) low = 1;
    if (isNaN(high)) high = 5;
    var choose = document.getElementById("map-topic");
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-lat]"));
    var layer = L.layerGroup().addTo(map);
    var points = [];

    function draw() {
      layer.clearLayers();
      var column = choose ? choose.value : "all";
      rows.forEach(function (row) {
        var lat = parseFloat(row.getAttribute("data-lat"));
        var lon = parseFloat(row.getAttribute("data-lon"));
        var cell = row.querySelector('[data-col="' + column + '"]');
        var mean = cell ? parseFloat(cell.getAttribute("data-mean")) : NaN;
        var label = row.querySelector("th").textContent.trim() + ": " + (cell ? cell.textContent.trim() : "–");
        L.circleMarker([lat, lon], {radius: 11, weight: 2, color: "#1f2328", fillColor: colour(mean, low, high),
          fillOpacity: 0.9}).bindTooltip(label).addTo(layer);
      });
    }
    rows.forEach(function (row) {
      points.push([parseFloat(row.getAttribute("data-lat")), parseFloat(row.getAttribute("data-lon"))]);
    });
    draw();
    fit(map, points);
    if (choose) choose.addEventListener("change", draw);
    element.stationMap = {map: map, layer: layer, draw: draw};
  }

  document.querySelectorAll("[data-walk-map]").forEach(walkMap);
  document.querySelectorAll("[data-report-map]").forEach(reportMap);
})();

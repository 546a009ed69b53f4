(function () {
  "use strict";
  var table = document.getElementById("findings-table");
  if (!table || !table.tBodies.length) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var box = document.getElementById("findings-filter");
  var bar = document.getElementById("findings-toolbar");
  var count = document.getElementById("findings-count");
  var template = count ? count.getAttribute("data-template") || "" : "";
  function update() {
    var query = box.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var hit = !query || row.textContent.toLowerCase().indexOf(query) !== -1;
      row.hidden = !hit;
      if (hit) { shown += 1; }
    });
    if (count) {
      count.textContent = template.replace("{shown}", String(shown))
        .replace("{total}", String(rows.length));
    }
  }
  if (box && bar) {
    bar.hidden = false;
    box.addEventListener("input", update);
  }
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  function key(row, index) {
    var cell = row.cells[index];
    var explicit = cell.getAttribute("data-key");
    return explicit !== null ? explicit : cell.textContent.trim().toLowerCase();
  }
  headers.forEach(function (th, index) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    while (th.firstChild) { button.appendChild(th.firstChild); }
    th.appendChild(button);
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var keyed = rows.map(function (row, position) {
        return { row: row, key: key(row, index), position: position };
      });
      keyed.sort(function (a, b) {
        var x = a.key, y = b.key, order;
        if (x !== "" && y !== "" && !isNaN(x) && !isNaN(y)) { order = Number(x) - Number(y); }
        else { order = x < y ? -1 : (x > y ? 1 : 0); }
        if (!ascending) { order = -order; }
        return order || a.position - b.position;
      });
      rows = keyed.map(function (item) { return item.row; });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
})();

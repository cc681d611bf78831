// covgap file page: jump between uncovered blocks (buttons, or the n and p keys).
(function () {
  "use strict";
  var blocks = Array.prototype.slice.call(document.querySelectorAll("tr.block-start"));
  var pos = -1;
  var label = document.getElementById("block-pos");
  function go(delta) {
    if (!blocks.length) { return; }
    pos = (pos + delta + blocks.length) % blocks.length;
    var row = blocks[pos];
    window.location.hash = row.id;
    label.textContent = "block " + (pos + 1) + " of " + blocks.length;
  }
  document.getElementById("next-block").addEventListener("click", function () { go(1); });
  document.getElementById("prev-block").addEventListener("click", function () { go(-1); });
  document.addEventListener("keydown", function (e) {
    if (e.target && (e.target.tagName === "INPUT" || e.target.tagName === "TEXTAREA")) { return; }
    if (e.key === "n") { go(1); } else if (e.key === "p") { go(-1); }
  });
})();

/* incident-loop: filter the incident log, the register and the backlog by their facets. Without JavaScript the form stays hidden
   and the whole log is shown. Works with Material's instant navigation (document$). */
(function () {
  function setupForm(form) {
    var table = document.querySelector(form.getAttribute("data-il-target") || ".il-log table");
    if (!table || form.dataset.ilReady) return;
    form.dataset.ilReady = "1";
    form.hidden = false;
    var selects = form.querySelectorAll("select[data-il-facet]");
    var rows = table.tBodies[0].rows;
    var count = form.querySelector(".il-facets-count");
    function apply() {
      var shown = 0;
      for (var i = 0; i < rows.length; i++) {
        var row = rows[i], visible = true;
        selects.forEach(function (select) {
          var value = select.value;
          if (!value) return;
          var values = (row.getAttribute("data-" + select.dataset.ilFacet) || "").split(" ");
          if (values.indexOf(value) < 0) visible = false;
        });
        row.hidden = !visible;
        if (visible) shown++;
      }
      if (count) count.textContent = shown + " of " + rows.length + " shown";
    }
    selects.forEach(function (select) { select.addEventListener("change", apply); });
    // A link such as actions/#owner=ops-team opens the page filtered (the home page's owners).
    var wanted = /^#([a-z-]+)=(.+)$/.exec(window.location.hash);
    if (wanted) {
      selects.forEach(function (select) {
        if (select.dataset.ilFacet === wanted[1]) select.value = decodeURIComponent(wanted[2]);
      });
    }
    apply();
  }
  function setup() {
    document.querySelectorAll("form.il-facets").forEach(setupForm);
  }
  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setup);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();

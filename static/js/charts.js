// Draws every element with data-plotly-figure="<id>" from the figure JSON in <script id="<id>">.
// The one Plotly configuration every chart uses: the modebar offers download as PNG, zoom and
// reset, nothing else. Plotly's own defaults add "Edit in Chart Studio" / "Share chart", which
// upload the data to a cloud service: never in a self-hosted product.
(function () {
  "use strict";
  var CONFIG = {
    responsive: true,
    displaylogo: false,
    showLink: false,
    showSendToCloud: false,
    showEditInChartStudio: false,
    plotlyServerURL: "",
    modeBarButtons: [["toImage", "zoom2d", "resetScale2d"]],
  };

  function configFor(el) {
    var config = Object.assign({}, CONFIG);
    config.toImageButtonOptions = {
      format: "png",
      filename: el.dataset.filename || "supportops-chart",
      scale: 2,
    };
    return config;
  }

  function draw() {
    document.querySelectorAll("[data-plotly-figure]").forEach(function (el) {
      var source = document.getElementById(el.dataset.plotlyFigure);
      if (!source || typeof Plotly === "undefined") return;
      var figure = JSON.parse(source.textContent);
      var layout = figure.layout || {};
      if (el.clientWidth < 600) {
        // A phone: narrower margins and a smaller font, so the plot keeps its width.
        layout.margin = { l: 44, r: 12, t: 48, b: 36 };
        layout.font = Object.assign({}, layout.font, { size: 11 });
      }
      Plotly.newPlot(el, figure.data, layout, configFor(el));
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

// A page that follows work in progress (templates/imports/show.html) refreshes itself every
// data-psirf-refresh seconds, with a button to stop and start it again. WCAG 2.2.1 asks that a
// person can turn such a refresh off, which a <meta http-equiv="refresh"> cannot offer. Without
// JavaScript the page offers only its "Refresh now" link. A stop holds for this page's address
// until the tab is closed, so following "Refresh now" after stopping does not start it again.

const region = document.querySelector("[data-psirf-refresh]");

if (region) {
  const seconds = Number(region.dataset.psirfRefresh);
  const key = `psirf-refresh-stopped:${window.location.pathname}`;
  const button = region.querySelector("button");
  const status = region.querySelector("[data-psirf-refresh-status]");
  let timer = null;

  const show = (running) => {
    status.textContent = running
      ? `This page refreshes itself every ${seconds} seconds.`
      : "This page no longer refreshes itself.";
    button.textContent = running ? "Stop refreshing" : "Refresh every " + seconds + " seconds";
  };

  const start = () => {
    window.sessionStorage.removeItem(key);
    timer = window.setTimeout(() => window.location.reload(), seconds * 1000);
    show(true);
  };

  const stop = () => {
    window.sessionStorage.setItem(key, "1");
    window.clearTimeout(timer);
    timer = null;
    show(false);
  };

  button.addEventListener("click", () => (timer === null ? start() : stop()));
  region.querySelector("[data-psirf-refresh-controls]").hidden = false;
  if (window.sessionStorage.getItem(key)) {
    show(false);
  } else {
    start();
  }
}

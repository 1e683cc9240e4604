// Progressive enhancement only: every form works without this file.
// After a turn, bring the newest message into view and put the keyboard where it is needed:
// on the first button offered, or in the answer box.
document.addEventListener("DOMContentLoaded", function () {
  var latest = document.getElementById("latest");
  if (!latest || location.hash !== "#latest") return;
  latest.scrollIntoView({ block: "start" });
  var form = document.querySelector(".line.now form.buttons");
  var first = form && form.querySelector("button");
  (first || document.getElementById("say")).focus();
});
// Ctrl+Enter (or Cmd+Enter) sends the answer box.
document.addEventListener("keydown", function (e) {
  if (e.target && e.target.id === "say" && e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    e.target.form.requestSubmit();
  }
});

// Keyboard shortcuts on the alert verification page: c confirm, r reject, n next, p previous.
// Never while typing in a field; the buttons and links work without this script.
document.addEventListener("keydown", function (event) {
  var target = event.target;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) return;
  var ids = { c: "confirm-alert", r: "reject-alert", n: "next-alert", p: "previous-alert" };
  var element = document.getElementById(ids[event.key]);
  if (element) {
    event.preventDefault();
    element.click();
  }
});

// Ctrl-K / Cmd-K opens the support search from anywhere on the page.
let registered = null;

export function register(dotnetRef) {
  unregister();
  registered = (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === "k" || e.key === "K")) {
      e.preventDefault();
      dotnetRef.invokeMethodAsync("OpenFromShortcut");
    }
  };
  document.addEventListener("keydown", registered);
}

export function unregister() {
  if (registered) {
    document.removeEventListener("keydown", registered);
    registered = null;
  }
}

export function scrollIntoView(id) {
  const el = document.getElementById(id);
  if (el) {
    el.scrollIntoView({ block: "nearest" });
  }
}

// Ctrl-K / Cmd-K opens the support search from anywhere on the page. Esc closes it from anywhere too: the search
// input handles its own keys, but right after opening, focus may not have reached it yet.
let registered = null;

export function register(dotnetRef) {
  unregister();
  registered = (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === "k" || e.key === "K")) {
      e.preventDefault();
      dotnetRef.invokeMethodAsync("OpenFromShortcut");
    } else if (e.key === "Escape" && document.querySelector("[data-test=search-dialog]")
               && !(e.target instanceof Element && e.target.closest("[data-test=search-input]"))) {
      e.preventDefault();
      dotnetRef.invokeMethodAsync("CloseFromShortcut");
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

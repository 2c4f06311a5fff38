// Small helpers the portal calls through JS interop.
window.tt = {
  timeZone: () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
};

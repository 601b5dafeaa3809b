// The sign-in page's one behaviour: say so when the last attempt failed (?failed=1).
"use strict";
if (new URLSearchParams(location.search).has("failed")) {
  const p = document.getElementById("failed");
  if (p) p.hidden = false;
}

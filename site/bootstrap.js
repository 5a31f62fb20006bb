// bootstrap.js runs first, before any request the page itself makes, and
// narrows the page's Content-Security-Policy: connections may go to this
// site only, or also to the origin of the ?model= URL when the page was
// opened with such a link. (A meta policy can only be narrowed, never
// widened, so the static policy in index.html allows connect-src * and this
// second policy, enforced together with it, takes that back.)
(function () {
  'use strict';
  let allowed = "'self'";
  const param = new URLSearchParams(location.search).get('model');
  if (param) {
    try {
      const u = new URL(param, location.href);
      if ((u.protocol === 'https:' || u.protocol === 'http:') && u.origin !== location.origin) {
        allowed += ' ' + u.origin;
      }
    } catch (e) { /* app.js reports the bad URL */ }
  }
  const meta = document.createElement('meta');
  meta.httpEquiv = 'Content-Security-Policy';
  meta.content = 'connect-src ' + allowed;
  document.head.appendChild(meta);
  self.cycleganConnectSrc = allowed;
})();

// The browser side of test/amplify-redirect.test.mjs: an app page that runs Amplify v6's hosted-UI
// flow. The test bundles this file with esbuild (one ESM file, Amplify from node_modules) and
// serves it from a tiny http server; the configuration comes from a JSON <script> in the page.
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, getCurrentUser, signInWithRedirect, signOut } from 'aws-amplify/auth';
import 'aws-amplify/auth/enable-oauth-listener';
import { Hub } from 'aws-amplify/utils';

window.authEvents = [];
Hub.listen('auth', ({ payload }) => {
  window.authEvents.push(payload.event);
});

Amplify.configure(JSON.parse(document.getElementById('amplify-config').textContent));

window.app = {
  signInWithRedirect: () => signInWithRedirect(),
  signOut: () => signOut(),
  // { username, userId } or { error } (getCurrentUser throws when nobody is signed in).
  async currentUser() {
    try {
      const { username, userId } = await getCurrentUser();
      return { username, userId };
    } catch (err) {
      return { error: err.name };
    }
  },
  async tokens() {
    const session = await fetchAuthSession();
    return {
      idToken: session.tokens?.idToken?.toString() ?? null,
      accessToken: session.tokens?.accessToken?.toString() ?? null,
    };
  },
};
window.appReady = true;

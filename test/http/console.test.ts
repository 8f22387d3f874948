import t from 'tap';
import { startTestService } from '../helpers/service.js';

t.test('the console is served without a token, under a strict content security policy', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  const get = (url: string) => service.service.app.inject({ method: 'GET', url });
  const page = await get('/console');
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /^text\/html/);
  t.match(page.headers['content-security-policy'], /default-src 'none'; script-src 'self'/);
  t.equal(page.headers['x-content-type-options'], 'nosniff');
  t.match(page.body, /<script type="module" src="\/console\/assets\/main\.js"><\/script>/);
  t.notMatch(page.body, /<script>|\son[a-z]+="/, 'no inline script or handler');
  const main = await get('/console/assets/main.js');
  t.equal(main.statusCode, 200);
  t.match(main.headers['content-type'], /^text\/javascript/);
  t.match(main.body, /from '\.\/views\/ledger\.js'/);
  t.equal((await get('/console/assets/views/entries.js')).statusCode, 200, 'modules in subfolders');
  t.match((await get('/console/assets/console.css')).headers['content-type'], /^text\/css/);
  for (const url of [
    '/console/assets/nothing.js',
    '/console/assets/../../package.json',
    '/console/assets/%2e%2e/src/main.js',
    '/console/assets/',
  ]) {
    t.equal((await get(url)).statusCode, 404, url);
  }
});

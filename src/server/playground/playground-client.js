// Runs in the browser. Loaded as a same-origin script so the page needs no inline code (strict CSP).
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('playground-config').textContent);
  var props = {
    fetcher: GraphiQL.createFetcher({ url: config.endpoint }),
    defaultQuery: config.defaultQuery,
    shouldPersistHeaders: false,
    isHeadersEditorEnabled: true,
  };
  if (config.headers) {
    // Given as `headers`, not `defaultHeaders`: the dev token changes at every start of the gateway.
    props.headers = config.headers;
    props.defaultEditorToolsVisibility = 'headers';
  }
  ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(GraphiQL, props));
})();

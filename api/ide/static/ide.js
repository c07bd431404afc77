/* Regiekamer: start GraphiQL. Geen query in de adresbalk of de geschiedenis, niets op schijf.
 *
 * GraphiQL bewaart standaard de query, de variabelen, de tabbladen en (op verzoek) de headers in
 * localStorage: een query met een BSN zou dan op de schijf van de werkplek blijven staan, en het token ook.
 * Hier krijgt GraphiQL een opslag die alleen in het geheugen van dit tabblad leeft; sluiten of herladen
 * wist alles. (sessionStorage zou een herlaadbeurt overleven, maar komt bij "tabbladen herstellen" ook op
 * schijf terecht: het geheugen is het enige dat zeker verdwijnt.)
 */
(function () {
  "use strict";

  function geheugenopslag() {
    var items = new Map();
    return {
      getItem: function (sleutel) {
        return items.has(sleutel) ? items.get(sleutel) : null;
      },
      setItem: function (sleutel, waarde) {
        items.set(sleutel, String(waarde));
      },
      removeItem: function (sleutel) {
        items.delete(sleutel);
      },
      clear: function () {
        items.clear();
      },
      get length() {
        return items.size;
      }
    };
  }

  var script = document.currentScript;
  var endpoint = script.getAttribute("data-endpoint");
  var voorbeeld = [
    "# Regiekamer (demo). Zet uw token onder Headers; een token maakt u met",
    "#   regiekamer token --rol consulent --gemeente 0268",
    "# Wat u hier typt, blijft alleen in dit tabblad (niet in de adresbalk, niet op schijf).",
    "",
    "query Casussen($volgorde: CasusVolgorde, $filter: CasusFilter) {",
    "  casussen(first: 10, volgorde: $volgorde, filter: $filter) {",
    "    totalCount",
    "    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }",
    "    edges { node { id status aangemaaktOp urgentie gemeente { naam } } }",
    "  }",
    "}",
    ""
  ].join("\n");

  var fetcher = GraphiQL.createFetcher({ url: endpoint, enableIncrementalDelivery: false });
  var wortel = ReactDOM.createRoot(document.getElementById("graphiql"));
  wortel.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      storage: geheugenopslag(),
      shouldPersistHeaders: false,
      defaultQuery: voorbeeld,
      defaultHeaders: '{\n  "Authorization": "Bearer <token>"\n}',
      defaultEditorToolsVisibility: "headers",
      isHeadersEditorEnabled: true
    })
  );
})();

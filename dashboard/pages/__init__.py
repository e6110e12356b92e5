"""One module per page: `layout(values, lang, services)` and, where the page has its own callbacks,
`register(app, services)`. The figures every page shares are computed once in dashboard.outcome."""

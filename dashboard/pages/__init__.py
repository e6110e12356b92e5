"""One module per Dash page: its PATH and NAME, `layout(values, lang, services)` and
`register(app, services)` for its callbacks. dashboard.shell registers each with Dash's pages."""

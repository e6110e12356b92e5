// Slider labels in the page's language (Mantine calls these with the value and the options).
window.dashMantineFunctions = Object.assign({}, window.dashMantineFunctions, {
    localNumber: (value, options) => new Intl.NumberFormat(options.locale, {maximumFractionDigits: 2}).format(value),
});

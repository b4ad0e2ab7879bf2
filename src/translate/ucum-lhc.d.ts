/** Minimal ambient types for @lhncbc/ucum-lhc (the package ships none); only what units.ts uses. */
declare module '@lhncbc/ucum-lhc' {
  const ucumPkg: { UcumLhcUtils: { getInstance(): unknown } };
  export default ucumPkg;
}

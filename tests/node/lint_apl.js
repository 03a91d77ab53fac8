// Lints APL documents with Amazon's apl-suggester (StaticAplTemplateValidator), offline.
// stdin: a JSON array of documents; stdout: a JSON array with each document's findings.
"use strict";
const write = (text) => process.stdout.write(text);
console.log = console.info = console.warn = (...args) => process.stderr.write(args.join(" ") + "\n");
const { StaticAplTemplateValidator } = require("apl-suggester");

let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", async () => {
  const validator = new StaticAplTemplateValidator();
  const findings = [];
  for (const document of JSON.parse(input)) findings.push(await validator.validate(document));
  write(JSON.stringify(findings));
});

import next from "eslint-config-next";

const config = [
  ...next,
  {
    ignores: ["lib/generated/**", ".next/**", ".next-e2e-*/**", ".test-data/**", ".data/**", "node_modules/**", "test-results/**", "playwright-report/**", "dist/**"],
  },
  {
    rules: {
      "react-hooks/set-state-in-effect": "off",
      // One import style: "./x" inside a folder, "@/…" across folders.
      "no-restricted-imports": ["error", { patterns: [{ group: ["../*"], message: 'Import across folders with "@/…".' }] }],
    },
  },
];

export default config;

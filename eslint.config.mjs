import next from "eslint-config-next";

const config = [
  ...next,
  {
    ignores: ["lib/generated/**", ".next/**", ".next-e2e-*/**", ".test-data/**", ".data/**", "node_modules/**", "test-results/**", "playwright-report/**"],
  },
  {
    rules: {
      "react-hooks/set-state-in-effect": "off",
    },
  },
];

export default config;

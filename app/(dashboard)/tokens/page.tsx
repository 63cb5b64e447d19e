import { ComingSoon } from "@/components/shell/coming-soon";

export const metadata = { title: "Tokens" };

export default function TokensPage() {
  return (
    <ComingSoon
      title="Tokens"
      description="API tokens for CI and automation."
      what="Here you will create personal tokens, service accounts and team tokens for the REST API and docker login."
    />
  );
}

import { ComingSoon } from "@/components/shell/coming-soon";

export const metadata = { title: "Images" };

export default function ImagesPage() {
  return (
    <ComingSoon
      title="Images"
      description="Connect your private registries so customers can pull your images through Portcullis."
      what="Here you will add external registries (Docker Hub, ECR, GCR, GHCR, Quay, any OCI registry) with credentials that are encrypted and never shown again, test them, and copy push and proxy instructions per app."
    />
  );
}

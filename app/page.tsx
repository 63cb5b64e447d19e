import { redirect } from "next/navigation";
import { currentSession } from "@/lib/server/request";

export default async function Home() {
  redirect((await currentSession()) ? "/apps" : "/sign-in");
}

import { unknownApiPath } from "@/lib/api/handler";

/** Anything else under /api/v1: a JSON 404 in the API's error format. */
export const GET = unknownApiPath;
export const POST = unknownApiPath;
export const PUT = unknownApiPath;
export const PATCH = unknownApiPath;
export const DELETE = unknownApiPath;

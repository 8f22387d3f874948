/** Who is calling: the token names the person or client and their unit; nothing more is trusted. */
export interface Caller {
  readonly subject: string;
  readonly unit: string;
}

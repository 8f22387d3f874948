/**
 * SM3 and SM2 in the browser, for logs of the `shangmi` suite: Web Crypto has neither, so the
 * console loads sm-crypto-v2's browser build (served beside the console's own modules) the first
 * time a `shangmi` log needs it. It defines `globalThis.SmCryptoV2`.
 */

interface SmCrypto {
  sm3(input: Uint8Array): string;
  sm2: {
    doVerifySignature(
      message: Uint8Array,
      signatureHex: string,
      publicKeyHex: string,
      options: { der: boolean; hash: boolean; userId: string },
    ): boolean;
  };
}

/** GM/T 0003's default distinguishing ID, which the log's SM2 signatures use. */
const DISTINGUISHING_ID = '1234567812345678';

let loading: Promise<SmCrypto> | undefined;

/** The page's document, typed no further than needed (these modules are also type-checked without the DOM). */
interface Page {
  createElement(tag: 'script'): { src: string; onload: (() => void) | null; onerror: (() => void) | null };
  head: { append(node: unknown): void };
}

function library(): Promise<SmCrypto> {
  loading ??= new Promise<SmCrypto>((resolve, reject) => {
    const page = (globalThis as unknown as { document: Page }).document;
    const script = page.createElement('script');
    script.src = '/console/assets/vendor/sm-crypto-v2.js';
    script.onload = () => {
      const loaded = (globalThis as { SmCryptoV2?: SmCrypto }).SmCryptoV2;
      if (loaded === undefined) reject(new Error('the SM2/SM3 library did not load'));
      else resolve(loaded);
    };
    script.onerror = () => reject(new Error('the SM2/SM3 library could not be fetched'));
    page.head.append(script);
  });
  return loading;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export async function sm3(bytes: Uint8Array): Promise<Uint8Array> {
  const digest = (await library()).sm3(bytes);
  return Uint8Array.from(digest.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

/** Whether `signature` (DER) is the SM2 signature of `message` by the key whose point is `point`. */
export async function sm2Verifies(point: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  try {
    return (await library()).sm2.doVerifySignature(message, hex(signature), hex(point), {
      der: true,
      hash: true,
      userId: DISTINGUISHING_ID,
    });
  } catch {
    return false;
  }
}

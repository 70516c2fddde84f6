/** One API's response envelope for every /api route. */
export interface Envelope<T> {
  success: boolean;
  message: string;
  data?: T;
}

export function ok<T>(data?: T, message = ''): Envelope<T> {
  return data === undefined ? { success: true, message } : { success: true, message, data };
}

/** A page of a list, with One API's pagination (`p` 0-based, `page_size`) plus `total`. */
export interface Page<T> {
  items: T[];
  total: number;
}

// The parts of libmime and libqp the leak generator uses (neither ships type declarations).
declare module 'libmime' {
  const libmime: {
    encodeWord(data: string | Buffer, mimeWordEncoding?: 'Q' | 'B', maxLength?: number): string;
    decodeWords(str: string): string;
  };
  export default libmime;
}
declare module 'libqp' {
  const libqp: {
    encode(buffer: string | Buffer): string;
    wrap(str: string, lineLength?: number): string;
  };
  export default libqp;
}

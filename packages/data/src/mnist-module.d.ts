// The `mnist` package ships no types: an array of ten digit objects.
declare module 'mnist' {
  const digits: Array<{ raw: number[]; length: number; id: number }>;
  export default digits;
}

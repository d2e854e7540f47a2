/**
 * Go Kratos' name for an error reason (protoc-gen-go-errors `case2Camel`): words split on `_`,
 * an all-caps word lower-cased, then each word's first letter upper-cased.
 * `USER_NOT_FOUND` -> `UserNotFound`, `userNotFound` -> `UserNotFound`, `ABC` -> `Abc`.
 */
export function reasonToCamel(name: string): string {
  return name
    .split('_')
    .filter((word) => word.length > 0)
    .map((word) => {
      const w = /[a-z]/.test(word) ? word : word.toLowerCase();
      return w.charAt(0).toUpperCase() + w.slice(1);
    })
    .join('');
}

/** `sayHello` -> `SayHello`. */
export function upperFirst(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** `SayHello` -> `sayHello`. */
export function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

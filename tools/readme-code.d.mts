/** The runnable ```ts blocks of a markdown file (a path or a file URL). */
export function readmeExamples(readme: string | URL): string[];

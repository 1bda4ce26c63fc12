// Modules the webview bundle imports that TypeScript does not read itself.
declare module '*.css';

// Style sheets are imported for their side effect: the bundler gathers them into console.css.
declare module '*.css';

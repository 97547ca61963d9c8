// Starts the NHS.UK frontend components; served as a file so the CSP needs no inline script.
import { initAll } from "./vendor/nhsuk/nhsuk-frontend-10.6.1.min.js";

initAll();

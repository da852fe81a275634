/** The {@code CHL}/{@code QRY} challenge-response computation (MSNP.md §5.5). */
package msnscope.dissect.challenge;

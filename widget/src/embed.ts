/** The script-tag entry: `<script type="module" src="live-leads.js">` registers every element. */
import './define.js';

export * from './index.js';

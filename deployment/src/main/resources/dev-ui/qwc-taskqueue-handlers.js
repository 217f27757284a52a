import { LitElement, html, css } from 'lit';
import { JsonRpc } from 'jsonrpc';
import { handlers, store } from 'build-time-data';
import 'qui-badge';

/**
 * The @TaskHandler methods the build found, with the retry and timeout settings that apply to them.
 */
export class QwcTaskqueueHandlers extends LitElement {

    jsonRpc = new JsonRpc(this);

    static styles = css`
        :host { display: flex; flex-direction: column; gap: 10px; padding: 10px 20px; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--lumo-contrast-10pct); }
        th { color: var(--lumo-contrast-60pct); font-weight: 500; }
        code { font-size: 85%; }
        .settings { color: var(--lumo-contrast-70pct); }
    `;

    static properties = {
        _settings: { state: true }
    };

    connectedCallback() {
        super.connectedCallback();
        this.jsonRpc.settings().then(r => this._settings = r.result);
    }

    render() {
        if (!handlers || handlers.length === 0) {
            return html`<p>No <code>@TaskHandler</code> method in this application: annotate a method of a bean with
                <code>@TaskHandler("my_type")</code> to handle tasks of that type.</p>`;
        }
        return html`
            <div class="settings">Store: <b>${store}</b>${this._renderSettings()}</div>
            <table id="handlers">
                <thead><tr><th>Task type</th><th>Method</th><th>Payload</th><th>Returns</th><th>Thread</th>
                    <th>Retries</th><th>Timeout</th></tr></thead>
                <tbody>${handlers.map(h => html`
                    <tr>
                        <td><code class="task-type">${h.taskType}</code></td>
                        <td><code>${h.method}</code></td>
                        <td><code>${h.parameters || '(none)'}</code></td>
                        <td>${h.returns}</td>
                        <td>${h.blocking
                            ? html`<qui-badge small><span>blocking (worker)</span></qui-badge>`
                            : html`<qui-badge small level="success"><span>non-blocking (event loop)</span></qui-badge>`}</td>
                        <td>${this._settings ? this._settings.retries : ''}</td>
                        <td>${this._settings ? (this._settings.timeout || 'none') : ''}</td>
                    </tr>`)}
                </tbody>
            </table>`;
    }

    _renderSettings() {
        if (!this._settings) {
            return '';
        }
        return html`; workers: ${this._settings.workerEnabled ? this._settings.poolSize : 'off (submit only)'};
            retries and timeout are those of <code>quarkus.taskqueue.retries</code> and
            <code>quarkus.taskqueue.timeout</code> unless a submission sets its own.`;
    }
}
customElements.define('qwc-taskqueue-handlers', QwcTaskqueueHandlers);

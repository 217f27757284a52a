import { LitElement, html, css } from 'lit';
import { JsonRpc } from 'jsonrpc';
import { handlers } from 'build-time-data';
import '@vaadin/button';
import '@vaadin/text-area';
import '@vaadin/text-field';
import '@vaadin/progress-bar';
import 'qui-badge';

const STATES = ['SCHEDULED', 'QUEUED', 'RUNNING', 'RETRYING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'SUPERSEDED'];
const LEVELS = { SUCCEEDED: 'success', FAILED: 'error', RETRYING: 'warning', RUNNING: 'contrast' };
const REFRESH_MILLIS = 2000;

/**
 * The queue as it is now: counts by state and type, a form to submit a test task, the failed tasks (retry,
 * cancel), this node's recent batches and the recent groups. Polled every two seconds.
 */
export class QwcTaskqueueQueue extends LitElement {

    jsonRpc = new JsonRpc(this);

    static styles = css`
        :host { display: flex; flex-direction: column; gap: 18px; padding: 10px 20px; }
        h3 { margin: 0 0 6px 0; font-size: var(--lumo-font-size-m); }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid var(--lumo-contrast-10pct); vertical-align: top; }
        th { color: var(--lumo-contrast-60pct); font-weight: 500; }
        td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
        code { font-size: 85%; }
        .totals { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
        .form { display: flex; gap: 10px; align-items: flex-end; flex-wrap: wrap; }
        select { font: inherit; padding: 6px; border-radius: var(--lumo-border-radius-m);
            border: 1px solid var(--lumo-contrast-20pct); background: var(--lumo-base-color); color: var(--lumo-body-text-color); }
        vaadin-text-area { min-width: 360px; flex: 1; }
        .message { padding: 4px 0; }
        .message.error { color: var(--lumo-error-text-color); }
        .error { color: var(--lumo-error-text-color); white-space: pre-wrap; }
        .empty { color: var(--lumo-contrast-50pct); }
        vaadin-progress-bar { min-width: 120px; }
    `;

    static properties = {
        _counts: { state: true },
        _failed: { state: true },
        _batches: { state: true },
        _groups: { state: true },
        _submitted: { state: true },
        _message: { state: true },
        _actionMessage: { state: true },
        _type: { state: true },
        _payload: { state: true },
        _retries: { state: true }
    };

    constructor() {
        super();
        this._submitted = [];
        this._type = handlers && handlers.length > 0 ? handlers[0].taskType : '';
        this._payload = '';
        this._retries = '';
    }

    connectedCallback() {
        super.connectedCallback();
        this._refresh();
        this._timer = setInterval(() => this._refresh(), REFRESH_MILLIS);
    }

    disconnectedCallback() {
        clearInterval(this._timer);
        super.disconnectedCallback();
    }

    _refresh() {
        this.jsonRpc.counts().then(r => this._counts = r.result);
        this.jsonRpc.failedTasks().then(r => this._failed = r.result);
        this.jsonRpc.recentBatches().then(r => this._batches = r.result);
        this.jsonRpc.groups().then(r => this._groups = r.result);
        for (const t of this._submitted) {
            this.jsonRpc.task({ id: t.id }).then(r => {
                if (r.result) {
                    this._submitted = this._submitted.map(s => s.id === r.result.id ? r.result : s);
                }
            });
        }
    }

    render() {
        return html`
            ${this._renderCounts()}
            ${this._renderSubmit()}
            ${this._renderFailed()}
            ${this._renderBatches()}
            ${this._renderGroups()}`;
    }

    _renderCounts() {
        if (!this._counts) {
            return html`<div class="empty">Loading…</div>`;
        }
        const types = Object.keys(this._counts.byType);
        const oldest = this._counts.oldestWaitingMillis;
        return html`
            <section>
                <h3>Tasks by state</h3>
                <div class="totals" id="totals">
                    ${STATES.map(s => html`<qui-badge level="${LEVELS[s] || 'default'}" small>
                        <span>${s} ${this._counts.totals[s] || 0}</span></qui-badge>`)}
                    <span class="empty">${oldest == null ? 'nothing waiting' : `oldest waiting: ${oldest} ms`}</span>
                </div>
            </section>
            <section>
                <h3>By task type</h3>
                ${types.length === 0 ? html`<div class="empty">No tasks in the store yet.</div>` : html`
                <table id="counts">
                    <thead><tr><th>Task type</th>${STATES.map(s => html`<th class="n">${s}</th>`)}</tr></thead>
                    <tbody>${types.map(t => html`<tr><td><code>${t}</code></td>
                        ${STATES.map(s => html`<td class="n">${this._counts.byType[t][s] || 0}</td>`)}</tr>`)}
                    </tbody>
                </table>`}
            </section>`;
    }

    _renderSubmit() {
        const handler = (handlers || []).find(h => h.taskType === this._type);
        return html`
            <section>
                <h3>Submit a test task</h3>
                <div class="form">
                    <label>Task type<br>
                        <select id="submit-type" @change=${e => this._type = e.target.value}>
                            ${(handlers || []).map(h => html`<option value="${h.taskType}" ?selected=${h.taskType === this._type}>${h.taskType}</option>`)}
                        </select>
                    </label>
                    <vaadin-text-area id="submit-payload" label="Payload (JSON)"
                        helper-text="${handler ? `Parameters: ${handler.parameters || 'none (leave empty)'}` : ''}"
                        placeholder='{"name": "value"}, "text", 42, [1, 2] ...'
                        .value=${this._payload} @value-changed=${e => this._payload = e.detail.value}></vaadin-text-area>
                    <vaadin-text-field id="submit-retries" label="Retries" placeholder="default" style="width: 7em"
                        .value=${this._retries} @value-changed=${e => this._retries = e.detail.value}></vaadin-text-field>
                    <vaadin-button id="submit-button" theme="primary" @click=${() => this._submit()}>Submit</vaadin-button>
                </div>
                ${this._message ? html`<div class="message ${this._message.success ? '' : 'error'}" id="submit-message">${this._message.message}</div>` : ''}
                ${this._submitted.length === 0 ? '' : html`
                <table id="submitted">
                    <thead><tr><th>Task</th><th>Type</th><th>State</th><th class="n">Attempts</th><th>Result or error</th></tr></thead>
                    <tbody>${this._submitted.map(t => html`<tr data-task-id="${t.id}">
                        <td><code>${t.id}</code></td><td><code>${t.taskType}</code></td>
                        <td class="state">${this._state(t.state)}</td><td class="n">${t.attempts}</td>
                        <td>${t.state === 'SUCCEEDED' ? html`<code>${t.result}</code>` : html`<span class="error">${t.lastError || ''}</span>`}</td>
                    </tr>`)}</tbody>
                </table>`}
            </section>`;
    }

    _submit() {
        this.jsonRpc.submit({ type: this._type, payload: this._payload, retries: this._retries }).then(r => {
            this._message = r.result;
            if (r.result.success) {
                this._submitted = [{ id: r.result.id, taskType: this._type, state: 'QUEUED', attempts: 0 },
                    ...this._submitted].slice(0, 10);
                this._refresh();
            }
        });
    }

    _renderFailed() {
        return html`
            <section>
                <h3>Failed tasks</h3>
                ${this._actionMessage ? html`<div class="message ${this._actionMessage.success ? '' : 'error'}" id="action-message">${this._actionMessage.message}</div>` : ''}
                ${!this._failed || this._failed.length === 0 ? html`<div class="empty">No failed task.</div>` : html`
                <table id="failed">
                    <thead><tr><th>Task</th><th>Type</th><th>State</th><th class="n">Attempts</th><th>Group</th>
                        <th>Last error</th><th>Finished</th><th></th></tr></thead>
                    <tbody>${this._failed.map(t => html`<tr data-task-id="${t.id}">
                        <td><code>${t.id}</code></td><td><code>${t.taskType}</code></td><td>${this._state(t.state)}</td>
                        <td class="n attempts">${t.attempts}</td><td>${t.groupId || ''}</td>
                        <td class="error" title="${t.lastErrorClass || ''}">${t.lastError || ''}</td>
                        <td class="finished">${t.finishedAt || ''}</td>
                        <td>${t.state === 'FAILED'
                            ? html`<vaadin-button theme="small" @click=${() => this._act('retry', t.id)}>Retry</vaadin-button>`
                            : html`<vaadin-button theme="small error" @click=${() => this._act('cancel', t.id)}>Cancel</vaadin-button>`}</td>
                    </tr>`)}</tbody>
                </table>`}
            </section>`;
    }

    _act(action, id) {
        this.jsonRpc[action]({ id }).then(r => {
            this._actionMessage = r.result;
            this._refresh();
        });
    }

    _renderBatches() {
        return html`
            <section>
                <h3>Recent batches (this node)</h3>
                ${!this._batches || this._batches.length === 0 ? html`<div class="empty">No batch submitted since the start.</div>` : html`
                <table id="batches">
                    <thead><tr><th>Batch</th><th>At</th><th class="n">Tasks</th><th class="n">Submitted</th>
                        <th class="n">Deduplicated</th><th class="n">Superseded</th><th class="n">Failed</th><th class="n">ms</th></tr></thead>
                    <tbody>${this._batches.map(b => html`<tr>
                        <td><code>${b.batchId}</code></td><td>${b.at}</td><td class="n">${b.count}</td>
                        <td class="n">${b.submitted}</td><td class="n">${b.deduplicated}</td><td class="n">${b.superseded}</td>
                        <td class="n ${b.failed > 0 ? 'error' : ''}">${b.failed}</td><td class="n">${b.millis}</td>
                    </tr>`)}</tbody>
                </table>`}
            </section>`;
    }

    _renderGroups() {
        return html`
            <section>
                <h3>Groups</h3>
                ${!this._groups || this._groups.length === 0 ? html`<div class="empty">No group yet.</div>` : html`
                <table id="groups">
                    <thead><tr><th>Group</th><th>Progress</th><th class="n">Total</th><th class="n">Waiting</th>
                        <th class="n">Running</th><th class="n">Succeeded</th><th class="n">Failed</th><th class="n">Cancelled</th></tr></thead>
                    <tbody>${this._groups.map(g => html`<tr>
                        <td><code>${g.groupId}</code></td>
                        <td><vaadin-progress-bar value="${g.total === 0 ? 0 : (g.succeeded + g.failed + g.cancelled) / g.total}"></vaadin-progress-bar></td>
                        <td class="n">${g.total}</td><td class="n">${g.queued}</td><td class="n">${g.running}</td>
                        <td class="n succeeded">${g.succeeded}</td><td class="n ${g.failed > 0 ? 'error' : ''}">${g.failed}</td><td class="n">${g.cancelled}</td>
                    </tr>`)}</tbody>
                </table>`}
            </section>`;
    }

    _state(state) {
        return html`<qui-badge small level="${LEVELS[state] || 'default'}"><span>${state}</span></qui-badge>`;
    }
}
customElements.define('qwc-taskqueue-queue', QwcTaskqueueQueue);

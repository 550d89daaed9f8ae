import { el } from './format.js';

/**
 * A table sortable by any column (a header is a button: click, Enter or Space) and filtered by a text box that
 * matches any cell's text. Rows are plain objects; columns say how to read (value) and show (format) a cell, and
 * optionally how to build it (render). Cells carry data-col and data-value (the raw number) for tests and tools.
 */
export class DataTable {
  constructor(table, filterInput, columns, keyOf, emptyText = 'No data in this window.') {
    this.table = table;
    this.columns = columns;
    this.keyOf = keyOf;
    this.emptyText = emptyText;
    this.rows = [];
    this.sortKey = null;
    this.descending = false;
    this.filter = '';
    this.thead = el('thead');
    this.tbody = el('tbody');
    table.replaceChildren(this.thead, this.tbody);
    if (filterInput) {
      filterInput.addEventListener('input', () => {
        this.filter = filterInput.value.trim().toLowerCase();
        this.render();
      });
    }
    this.renderHead();
  }

  renderHead() {
    const cells = this.columns.map((c) => {
      const sorted = this.sortKey === c.key;
      return el('th', { scope: 'col', 'data-col': c.key,
        'aria-sort': sorted ? (this.descending ? 'descending' : 'ascending') : 'none' },
      el('button', { type: 'button', text: c.label, onclick: () => this.sortBy(c.key) }));
    });
    this.thead.replaceChildren(el('tr', {}, ...cells));
  }

  sortBy(key) {
    if (this.sortKey === key) {
      this.descending = !this.descending;
    } else {
      this.sortKey = key;
      this.descending = false;
    }
    this.renderHead();
    this.render();
    const button = this.thead.querySelector(`th[data-col="${key}"] button`);
    if (button) {
      button.focus();
    }
  }

  setRows(rows) {
    this.rows = rows;
    this.render();
  }

  render() {
    const columns = this.columns;
    let rows = this.rows.map((row) => ({ row, texts: columns.map((c) => c.format(c.value(row))) }));
    if (this.filter) {
      rows = rows.filter((r) => r.texts.some((t) => String(t).toLowerCase().includes(this.filter)));
    }
    if (this.sortKey !== null) {
      const column = columns.find((c) => c.key === this.sortKey);
      const sign = this.descending ? -1 : 1;
      rows.sort((a, b) => {
        const x = column.value(a.row);
        const y = column.value(b.row);
        if (x === null || x === undefined) {
          return (y === null || y === undefined) ? 0 : 1;   // no value: last, whichever the direction
        }
        if (y === null || y === undefined) {
          return -1;
        }
        return sign * (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y)));
      });
    }
    if (rows.length === 0) {
      this.tbody.replaceChildren(el('tr', { class: 'empty' },
        el('td', { colspan: columns.length, text: this.rows.length ? 'No row matches the filter.' : this.emptyText })));
      return;
    }
    this.tbody.replaceChildren(...rows.map(({ row, texts }) => el('tr', { 'data-key': this.keyOf(row) },
      ...columns.map((c, i) => {
        const value = c.value(row);
        const td = el('td', { 'data-col': c.key, 'data-value': typeof value === 'number' ? String(value) : undefined });
        if (c.render) {
          td.append(c.render(row, texts[i]));
        } else {
          td.textContent = texts[i];
        }
        return td;
      }))));
  }
}

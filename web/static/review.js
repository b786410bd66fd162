// Keyboard shortcuts of the review screens. Pages work without this file; it only adds keys.
// URLs come from data-* attributes the server wrote on <body>; nothing here reads message content.
(function () {
  'use strict';
  var body = document.body;
  var page = body.getAttribute('data-page');
  var help = document.getElementById('help');

  function go(url) {
    if (url) window.location.href = url;
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || (target && target.isContentEditable);
  }

  // Times: the page writes UTC; show them in the reader's own zone, keeping UTC on hover (title).
  var fmt = null;
  try {
    fmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  } catch (e) {
    fmt = null;
  }
  if (fmt) {
    Array.prototype.forEach.call(document.querySelectorAll('time[datetime]'), function (t) {
      var d = new Date(t.getAttribute('datetime'));
      if (!isNaN(d.getTime())) t.textContent = fmt.format(d);
    });
  }

  // On a narrow screen the filter form starts folded unless a filter is set: the list comes first.
  var box = document.querySelector('details.filter-box');
  if (box && window.matchMedia && window.matchMedia('(max-width: 700px)').matches && box.getAttribute('data-active') !== 'yes') {
    box.open = false;
  }

  // The filter form: send only the fields that say something, so a shared URL names only its filters.
  var filters = document.querySelector('form.filters');
  if (filters) {
    filters.addEventListener('submit', function () {
      Array.prototype.forEach.call(filters.elements, function (el) {
        if (el.name && (el.tagName === 'INPUT' || el.tagName === 'SELECT') && el.type !== 'checkbox' && !el.value) el.disabled = true;
      });
    });
  }

  // Queue: j/k move a selection over the rows, Enter opens; past the last row j goes to the next page.
  var rows = page === 'queue' ? Array.prototype.slice.call(document.querySelectorAll('table.queue tbody tr')) : [];
  var current = -1;
  function select(i) {
    if (!rows.length) return;
    if (i >= rows.length) return go(body.getAttribute('data-next'));
    if (i < 0) {
      if (current <= 0 && body.getAttribute('data-prev')) return go(body.getAttribute('data-prev'));
      i = 0;
    }
    if (current >= 0) rows[current].classList.remove('selected');
    current = i;
    rows[i].classList.add('selected');
    rows[i].focus();
    rows[i].scrollIntoView({ block: 'nearest' });
  }

  // Message page: the review form.
  var form = document.getElementById('review-form');
  var confirmBox = document.getElementById('decision-confirm');
  var overrideBox = document.getElementById('decision-override');
  var verdict = document.getElementById('override-verdict');
  var note = document.getElementById('note');
  var reviewer = document.getElementById('reviewer');
  function syncRequired() {
    if (note && overrideBox) note.required = overrideBox.checked;
    if (verdict && overrideBox) verdict.required = overrideBox.checked;
  }
  if (verdict && overrideBox) {
    verdict.addEventListener('change', function () {
      if (verdict.value) overrideBox.checked = true;
      syncRequired();
    });
  }
  if (confirmBox) confirmBox.addEventListener('change', syncRequired);
  if (overrideBox) overrideBox.addEventListener('change', syncRequired);

  function confirmVerdict() {
    if (!form || !confirmBox) return;
    confirmBox.checked = true;
    syncRequired();
    if (reviewer && !reviewer.value.trim()) {
      reviewer.focus();
      return;
    }
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  }

  function override() {
    if (!overrideBox || !verdict) return;
    overrideBox.checked = true;
    syncRequired();
    verdict.focus();
  }

  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) {
      if (e.key === 'Escape' && e.target && e.target.blur) e.target.blur();
      return;
    }
    var handled = true;
    switch (e.key) {
      case 'j':
        if (page === 'queue') select(current + 1);
        else go(body.getAttribute('data-next'));
        break;
      case 'k':
        if (page === 'queue') select(current - 1);
        else go(body.getAttribute('data-prev'));
        break;
      case 'Enter':
        if (page === 'queue' && current >= 0) go(rows[current].getAttribute('data-href'));
        else handled = false;
        break;
      case 'c':
        confirmVerdict();
        break;
      case 'o':
        override();
        break;
      case 'r':
        go(body.getAttribute('data-raw'));
        break;
      case 'u':
        go(body.getAttribute('data-queue'));
        break;
      case '/':
        var q = document.getElementById('q');
        if (q) q.focus();
        else go('/messages');
        break;
      case '?':
        if (help) help.hidden = !help.hidden;
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  });
})();

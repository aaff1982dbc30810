// spo-search: progressive enhancement only; every feature of the pages works without it.
(function () {
  'use strict';
  document.documentElement.classList.add('js');
  var form = document.getElementById('recherche');
  var input = document.getElementById('q');
  var list = document.getElementById('suggestions');
  var announce = document.getElementById('annonce');

  // Suggestions as you type, from the completion API.
  if (input && list && window.fetch) {
    var timer = 0;
    var asked = '';
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2 || q === asked) { return; }
        asked = q;
        fetch('/api/v1/suggest?limit=8&q=' + encodeURIComponent(q))
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (body) {
            if (!body || input.value.trim() !== q) { return; }
            list.textContent = '';
            body.suggestions.forEach(function (text) {
              var option = document.createElement('option');
              option.value = text;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 150);
    });
  }

  // Filters and sort applied without reloading the page; the URL stays shareable.
  function searchUrl() {
    var params = new URLSearchParams(new FormData(form));
    return '/?' + params.toString();
  }

  function replaceResults(url, push) {
    var focused = document.activeElement;
    var key = focused && focused.form === form ? [focused.name, focused.value, focused.id] : null;
    fetch(url)
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, 'text/html');
        var fresh = page.getElementById('zone-resultats');
        var current = document.getElementById('zone-resultats');
        if (!fresh || !current) { window.location.href = url; return; }
        current.replaceWith(document.adoptNode(fresh));
        document.title = page.title;
        if (push) { history.pushState(null, '', url); }
        if (key) {
          var again = key[0] === 'filter'
            ? Array.prototype.find.call(form.elements, function (e) { return e.name === 'filter' && e.value === key[1]; })
            : document.getElementById(key[2]);
          if (again) { again.focus(); }
        }
        var heading = document.getElementById('titre-resultats');
        if (announce && heading) { announce.textContent = heading.textContent; }
      })
      .catch(function () { window.location.href = url; });
  }

  if (form && window.fetch && window.history && window.DOMParser) {
    document.addEventListener('change', function (event) {
      var target = event.target;
      if (target.form === form && (target.name === 'filter' || target.name === 'sort')) {
        replaceResults(searchUrl(), true);
      }
    });
    window.addEventListener('popstate', function () {
      if (document.getElementById('zone-resultats')) { replaceResults(window.location.href, false); }
    });
  }

  // "Copy link" on document pages.
  Array.prototype.forEach.call(document.querySelectorAll('[data-copier]'), function (button) {
    var field = document.getElementById(button.getAttribute('data-copier'));
    var status = button.parentNode.querySelector('[role=status]');
    if (!field || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener('click', function () {
      navigator.clipboard.writeText(field.value).then(function () {
        if (status) { status.textContent = 'Lien copié.'; }
      }, function () {
        field.select();
        if (status) { status.textContent = 'Copie impossible : le lien est sélectionné, copiez-le avec Ctrl+C.'; }
      });
    });
  });

  // Filters behind their disclosure on narrow screens, results first; the link to them
  // opens it.
  var filters = document.getElementById('filtres');
  if (filters && window.matchMedia && window.matchMedia('(max-width: 48rem)').matches) {
    filters.open = false;
  }
  document.addEventListener('click', function (event) {
    var opener = event.target.closest && event.target.closest('[data-ouvrir]');
    var target = opener && document.getElementById(opener.getAttribute('data-ouvrir'));
    if (target) { target.open = true; }
    // "Copy the link of the selection": the print view of the chosen results.
    var copy = event.target.closest && event.target.closest('[data-copier-selection]');
    var selection = copy && copy.form;
    if (!selection) { return; }
    var status = selection.querySelector('[role=status]');
    var url = window.location.origin + '/?' + new URLSearchParams(new FormData(selection)).toString();
    if (!navigator.clipboard) { window.location.href = url; return; }
    navigator.clipboard.writeText(url).then(function () {
      if (status) { status.textContent = 'Lien de la sélection copié.'; }
    }, function () { window.location.href = url; });
  });

  // "Print" on the print view.
  Array.prototype.forEach.call(document.querySelectorAll('[data-imprimer]'), function (button) {
    button.hidden = false;
    button.addEventListener('click', function () { window.print(); });
  });
}());

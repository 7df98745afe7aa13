// Chuhai console: uploads a product CSV from the import form.
//
// The server takes the file as the request body (there is no multipart
// parsing), with the session's CSRF secret in the X-CSRF-Token header, and
// answers {"job_url": …} for the page that follows the import. Without
// JavaScript the form's button stays disabled and a <noscript> note says why.
(function () {
  'use strict';

  function setUpImport(form) {
    var fileInput = form.querySelector('input[type=file]');
    var button = form.querySelector('button[type=submit]');
    var errorBox = form.querySelector('[data-testid=upload-error]');
    var data = form.dataset;
    var label = button.textContent;
    var maxBytes = Number(data.maxBytes) || Infinity;

    function showError(text) {
      errorBox.textContent = text || '';
      errorBox.hidden = !text;
      if (text) errorBox.scrollIntoView({ block: 'nearest' });
    }

    function busy(on) {
      button.disabled = on;
      button.textContent = on ? data.msgUploading : label;
      form.setAttribute('aria-busy', on ? 'true' : 'false');
    }

    fileInput.addEventListener('change', function () { showError(''); });

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      showError('');
      var file = fileInput.files && fileInput.files[0];
      if (!file) {
        showError(data.msgNoFile);
        fileInput.focus();
        return;
      }
      if (file.size === 0) {
        showError(data.msgEmpty);
        return;
      }
      if (file.size > maxBytes) {
        showError(data.msgTooLarge);
        return;
      }
      var params = new URLSearchParams();
      params.set('currency', form.elements.currency.value);
      params.set('partial', form.elements.partial.checked ? 'true' : 'false');
      busy(true);
      // The bytes as they are: the server checks that they are UTF-8.
      file.arrayBuffer()
        .then(function (body) {
          return fetch(form.getAttribute('action') + '?' + params.toString(), {
            method: 'POST',
            credentials: 'same-origin',
            headers: {
              'Content-Type': 'text/csv',
              'Accept': 'application/json',
              'X-CSRF-Token': data.csrf,
            },
            body: body,
          });
        })
        .then(function (res) {
          return res.json().catch(function () { return {}; }).then(function (json) {
            if (res.ok && json.job_url) {
              window.location.assign(json.job_url);
              return;
            }
            busy(false);
            showError(json.message || data.msgFailed);
          });
        })
        .catch(function () {
          busy(false);
          showError(data.msgFailed);
        });
    });

    // Back from the job page, the form is usable again.
    window.addEventListener('pageshow', function (event) {
      if (event.persisted) busy(false);
    });
    button.disabled = false;
  }

  function start() {
    var form = document.getElementById('import-form');
    if (form) setUpImport(form);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();

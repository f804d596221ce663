/* incident-loop: the "Report an incident" form (new/). It checks what one file can tell with the
   rules and the words of `incident-loop check`, shows the file it writes, and opens the
   repository's new-file page with it. Hand-written, no library: the rules are few and the
   messages must be the check's own. Does nothing on pages without the form. */
(function () {
  "use strict";

  var ORDER = ["started_at", "detected_at", "mitigated_at", "resolved_at"];
  var ACCEPTANCE_STATUSES = ["planned", "in_progress", "done"];

  function lines(text) {
    return text.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
  }

  // core/newincident.py slugify: NFKD, ASCII only, lower case, runs of others become "-".
  function slugify(text) {
    var ascii = text.normalize("NFKD").replace(/[^\x00-\x7f]/g, "");
    var slug = ascii.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    return slug.slice(0, 60).replace(/-+$/, "") || "incident";
  }

  // core/rules.py url_scheme: the scheme as a browser reads it.
  function urlScheme(url) {
    var cleaned = url.replace(/[\t\n\r]/g, "").replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, "");
    var match = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(cleaned);
    return match ? match[1].toLowerCase() : "";
  }

  // YAML: every string double-quoted; JSON's escapes are a subset of YAML's.
  function q(value) { return JSON.stringify(value); }

  function pad(n, width) { var s = String(Math.abs(n)); while (s.length < (width || 2)) s = "0" + s; return s; }

  function offsetText(minutes) {
    return (minutes < 0 ? "-" : "+") + pad(Math.floor(Math.abs(minutes) / 60)) + ":" + pad(Math.abs(minutes) % 60);
  }

  function setup() {
    var form = document.querySelector("form.il-report");
    var dataElement = document.getElementById("il-report-data");
    if (!form || !dataElement || form.dataset.ilReady) return;
    form.dataset.ilReady = "1";
    form.hidden = false;
    var data = JSON.parse(dataElement.textContent);
    var changes = data.offsets.changes;
    var touched = {};
    var showAll = false;
    var idPattern = null;
    try { idPattern = new RegExp("^(?:" + data.id_pattern + ")$"); } catch (e) { idPattern = null; }

    var body = form.elements.body;
    if (!body.value) body.value = data.body;

    function offsetAt(instant) {
      var offset = changes[0][1];
      for (var i = 0; i < changes.length && changes[i][0] <= instant; i++) offset = changes[i][1];
      return offset;
    }

    // A local date-time of the plugin's time zone: its offsets (none in a gap, two in a fold).
    function offsetsOf(local) {
      var match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local);
      if (!match) return null;
      var wall = Date.UTC(+match[1], +match[2] - 1, +match[3], +match[4], +match[5]);
      var seen = {};
      var result = [];
      changes.forEach(function (change) {
        var offset = change[1];
        if (seen[offset]) return;
        seen[offset] = true;
        if (offsetAt(wall - offset * 60000) === offset) result.push(offset);
      });
      return { year: +match[1], wall: wall, offsets: result.sort(function (a, b) { return b - a; }) };
    }

    // Each date-time field: {text, instant} or a problem.
    function readMoment(name, problems) {
      var input = form.elements[name];
      var fold = form.querySelector("[data-il-fold='" + name + "']");
      var shown = form.querySelector("[data-il-offset='" + name + "']");
      var value = input.value;
      shown.textContent = "";
      if (!value) { fold.hidden = true; return null; }
      var local = value.length === 16 ? value + ":00" : value.slice(0, 19);
      var parsed = offsetsOf(local);
      if (!parsed) { problems[name] = "`" + value + "` is not a date-time; write it like `2026-03-01T09:30`"; return null; }
      if (parsed.year < data.offsets.first_year || parsed.year > data.offsets.last_year) {
        fold.hidden = true;
        problems[name] = "this form knows the offsets of " + data.timezone + " from " + data.offsets.first_year +
          " to " + data.offsets.last_year + "; write this incident's file by hand (Writing an incident)";
        return null;
      }
      var offset;
      if (parsed.offsets.length === 0) {
        fold.hidden = true;
        problems[name] = "`" + local.replace("T", " ") + "` does not exist in " + data.timezone +
          " (the clocks moved forward); check the time";
        return null;
      }
      if (parsed.offsets.length > 1) {
        var options = parsed.offsets.map(offsetText);
        if (fold.hidden || fold.options.length !== options.length + 1) {
          fold.innerHTML = "";
          fold.add(new Option("which one?", ""));
          options.forEach(function (text, i) {
            fold.add(new Option(text + (i === 0 ? " (before the clocks went back)" : " (after)"), text));
          });
          fold.hidden = false;
        }
        if (!fold.value) {
          problems[name] = "`" + local.replace("T", " ") + "` happens twice in " + data.timezone +
            " (the clocks went back); pick " + options.join(" or ") + " beside it";
          return null;
        }
        offset = parsed.offsets[options.indexOf(fold.value)];
      } else {
        fold.hidden = true;
        offset = parsed.offsets[0];
      }
      var text = local + offsetText(offset);
      shown.textContent = offsetText(offset);
      return { text: text, instant: parsed.wall - offset * 60000 };
    }

    function rows(kind) {
      return Array.prototype.slice.call(form.querySelectorAll("[data-il-row='" + kind + "']"));
    }

    function rowValues(row) {
      var values = {};
      row.querySelectorAll("[data-il-input]").forEach(function (input) {
        values[input.dataset.ilInput] = input.value;
      });
      return values;
    }

    // Read the form: the incident as written to the file, and every problem by field.
    function read() {
      var f = form.elements;
      var problems = {};
      var item = {};
      var incident = {};
      function text(name, required, hint) {
        var value = f[name].value.trim();
        if (value) incident[name] = value;
        else if (required) problems[name] = "is required; " + hint;
      }
      function choice(name, allowed, hint) {
        var value = f[name].value;
        if (!value) problems[name] = "is required; " + hint;
        else incident[name] = value;
      }
      text("title", true, "write what happened in a few words");
      var moments = {};
      ORDER.forEach(function (name) {
        var moment = readMoment(name, problems);
        if (moment) moments[name] = moment;
        else if (!f[name].value && name !== "resolved_at" && !problems[name]) {
          problems[name] = "is required; give the date and time";
        }
      });
      var year = moments.started_at ? moments.started_at.text.slice(0, 4) : "";
      if (!f.id.dataset.ilEdited) f.id.value = data.next_ids[year] || "";
      var id = f.id.value.trim();
      if (!id) {
        problems.id = year ? "is required; give the incident an id matching `" + data.id_pattern + "`"
                           : "comes from the year of the start time: give that first";
      } else if (idPattern && !idPattern.test(id)) {
        problems.id = "`" + id + "` does not match the id pattern `" + data.id_pattern + "`" +
          (data.id_example ? " (like " + data.id_example + ")" : "");
      }
      incident.id = id;
      choice("severity", null, "pick one of the severities");
      choice("category", null, "pick one of the categories");
      choice("failure_mode", null, "pick the failure mode (incidents/failure-modes.yml lists them)");
      choice("detection_source", null, "pick who noticed first");
      // the order of the times, each against the last one given (validate._check_timestamps)
      var previous = null;
      ORDER.forEach(function (name) {
        var moment = moments[name];
        if (!moment) return;
        if (previous && moment.instant < previous.moment.instant) {
          problems[name] = "is before " + previous.name + " (" + previous.moment.text + "); " +
            name + " cannot be earlier than " + previous.name;
        }
        incident[name] = moment.text;
        previous = { name: name, moment: moment };
      });
      var selected = function (select) {
        return Array.prototype.filter.call(select.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      };
      var scope = { partners: selected(f.partners), sites: selected(f.sites), segments: lines(f.segments.value) };
      if (!scope.partners.length && !scope.sites.length && !scope.segments.length) {
        problems.scope = "lists nothing; name at least one of `partners`, `sites` or `segments`";
      }
      incident.scope = scope;
      text("symptoms", true, "write what was observed");
      text("mitigation", true, "write what restored service");
      text("root_cause", false);
      incident.contributing_factors = lines(f.contributing_factors.value);
      if (f.trigger.value) incident.trigger = f.trigger.value;
      if (f.rolled_back.checked) incident.rolled_back = true;
      var hours = f.manual_hours.value.trim();
      if (hours) {
        if (!/^\d+(\.\d+)?([eE][+-]?\d+)?$/.test(hours) && !/^-\d/.test(hours)) {
          problems.manual_hours = "must be a number, not text";
        } else if (Number(hours) < 0) {
          problems.manual_hours = "must be 0 or more, not " + hours;
        } else if (!isFinite(Number(hours))) {
          problems.manual_hours = "must be a finite number of hours, not infinity or NaN";
        } else {
          incident.manual_hours = Number(hours);
        }
      }
      incident.runbooks = selected(f.runbooks);
      incident.links = rows("links").map(function (row, index) {
        var values = rowValues(row);
        var key = "links[" + index + "]";
        var link = { title: values.title.trim(), url: values.url.trim() };
        if (!link.title) problems[key + ".title"] = "is required; name the link, like Dashboard";
        if (!link.url) problems[key + ".url"] = "is required; add `url: https://example.com/dashboard`";
        else if (data.safe_schemes.indexOf(urlScheme(link.url)) < 0) {
          var scheme = urlScheme(link.url);
          problems[key + ".url"] = "`" + link.url + "` has " + (scheme ? "`" + scheme + ":`" : "no scheme") +
            "; a link must start with https://, http:// or mailto:";
        }
        return link;
      });
      incident.exclude_from_metrics = f.exclude_from_metrics.checked;
      incident.tags = lines(f.tags.value);
      incident.actions = rows("actions").map(function (row, index) {
        var values = rowValues(row);
        var key = "actions[" + index + "]";
        var action = {};
        ["title", "type", "owner", "status", "priority", "due", "ticket", "completed_at", "reason"].forEach(function (name) {
          var value = values[name].trim();
          if (value) action[name] = value;
        });
        action.acceptance = lines(values.acceptance);
        if (!action.title) problems[key + ".title"] = "is required; write what will be done";
        if (!action.type) problems[key + ".type"] = "is required; pick the kind of work";
        if (!action.owner) problems[key + ".owner"] = "is required; add `owner: team-integrations`";
        if (!action.status) problems[key + ".status"] = "is required; pick where it stands";
        if (action.ticket) {
          var match = /^\s*([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(action.ticket);
          if (match && ["http", "https"].indexOf(match[1].toLowerCase()) < 0) {
            problems[key + ".ticket"] = "`" + action.ticket + "` is neither a key like OPS-123 nor an https:// URL";
          }
        }
        if (ACCEPTANCE_STATUSES.indexOf(action.status) >= 0 && !action.acceptance.length) {
          problems[key + ".acceptance"] = "is required when status is " + action.status +
            ": list the acceptance criteria, one `- ...` per line";
        }
        if (action.status === "done" && !action.completed_at) {
          problems[key + ".completed_at"] = "is required when status is done: the date it was completed";
        }
        if (action.status === "wont_do" && !action.reason) {
          problems[key + ".reason"] = "is required when status is wont_do: say why it will not be done";
        }
        return action;
      });
      item.incident = incident;
      item.problems = problems;
      item.body = f.body.value.replace(/\r\n/g, "\n");
      return item;
    }

    function yamlList(key, values, indent) {
      if (!values.length) return "";
      return indent + key + ":\n" + values.map(function (v) { return indent + "  - " + q(v) + "\n"; }).join("");
    }

    function fileText(incident, body) {
      var out = "---\n";
      ["id", "title", "severity", "category", "failure_mode", "detection_source"].forEach(function (key) {
        if (incident[key]) out += key + ": " + q(incident[key]) + "\n";
      });
      ORDER.forEach(function (key) { if (incident[key]) out += key + ": " + incident[key] + "\n"; });
      out += "scope:\n";
      ["partners", "sites", "segments"].forEach(function (key) {
        out += "  " + key + ": [" + incident.scope[key].map(q).join(", ") + "]\n";
      });
      ["symptoms", "mitigation", "root_cause"].forEach(function (key) {
        if (incident[key]) out += key + ": " + q(incident[key]) + "\n";
      });
      out += yamlList("contributing_factors", incident.contributing_factors, "");
      if (incident.trigger) out += "trigger: " + q(incident.trigger) + "\n";
      if (incident.rolled_back) out += "rolled_back: true\n";
      if (incident.manual_hours !== undefined) out += "manual_hours: " + String(incident.manual_hours) + "\n";
      if (incident.runbooks.length) out += "runbooks: [" + incident.runbooks.map(q).join(", ") + "]\n";
      if (incident.links.length) {
        out += "links:\n" + incident.links.map(function (link) {
          return "  - title: " + q(link.title) + "\n    url: " + q(link.url) + "\n";
        }).join("");
      }
      if (incident.exclude_from_metrics) out += "exclude_from_metrics: true\n";
      if (incident.tags.length) out += "tags: [" + incident.tags.map(q).join(", ") + "]\n";
      if (incident.actions.length) {
        out += "actions:\n";
        incident.actions.forEach(function (action) {
          var first = true;
          ["title", "type", "owner", "status", "priority", "due", "ticket"].forEach(function (key) {
            if (action[key] === undefined) return;
            var value = key === "due" ? action[key] : q(action[key]);
            out += (first ? "  - " : "    ") + key + ": " + value + "\n";
            first = false;
          });
          if (first) { out += "  - {}\n"; return; }
          out += yamlList("acceptance", action.acceptance, "    ");
          if (action.completed_at) out += "    completed_at: " + action.completed_at + "\n";
          if (action.reason) out += "    reason: " + q(action.reason) + "\n";
        });
      }
      out += "---\n\n" + body.replace(/^\n+/, "");
      if (!/\n$/.test(out)) out += "\n";
      return out;
    }

    var summary = form.querySelector(".il-summary");
    var pathOut = form.querySelector(".il-path");
    var preview = form.querySelector(".il-preview code");
    var open = form.querySelector(".il-open");
    var handover = form.querySelector(".il-handover");
    var current = { path: "", text: "", problems: {} };

    function problemElement(key) {
      var match = /^(links|actions)\[(\d+)\]\.(\w+)$/.exec(key);
      if (match) {
        var row = rows(match[1])[+match[2]];
        return row && row.querySelector("[data-il-item='" + match[3] + "'] .il-problem");
      }
      return form.querySelector("[data-il-field='" + key + "'] .il-problem");
    }

    function fieldKey(element) {
      var row = element.closest("[data-il-row]");
      if (row) {
        var index = rows(row.dataset.ilRow).indexOf(row);
        return row.dataset.ilRow + "[" + index + "]." + element.dataset.ilInput;
      }
      var field = element.closest("[data-il-field]");
      return field ? field.dataset.ilField : "";
    }

    function update() {
      var item = read();
      var incident = item.incident;
      var date = incident.started_at ? incident.started_at.slice(0, 10) : "YYYY-MM-DD";
      current.path = data.incidents_dir + "/" + date.slice(0, 4) + "/" + date + "-" +
        slugify(incident.title || "") + ".md";
      current.text = fileText(incident, item.body);
      current.problems = item.problems;
      form.querySelectorAll(".il-problem").forEach(function (p) { p.textContent = ""; });
      form.querySelectorAll(".il-invalid").forEach(function (e) { e.classList.remove("il-invalid"); });
      var keys = Object.keys(item.problems);
      keys.forEach(function (key) {
        if (!showAll && !touched[key]) return;
        var element = problemElement(key);
        if (!element) return;
        element.textContent = key.replace(/^(links|actions)\[(\d+)\]/, function (all, kind, n) {
          return kind + "[" + n + "]";
        }) + ": " + item.problems[key];
        element.closest(".il-field").classList.add("il-invalid");
      });
      summary.textContent = keys.length
        ? keys.length + (keys.length === 1 ? " problem" : " problems") + " to fix before the pull request" +
          (showAll ? ": each is shown next to its field." : ".")
        : "No problems found: the pull request check will also compare it with the other incidents.";
      pathOut.textContent = current.path;
      preview.textContent = current.text;
      var url = null;
      if (data.new_file) {
        url = data.new_file.url + "?" + data.new_file.path_param + "=" + encodeURIComponent(current.path) +
          "&" + data.new_file.text_param + "=" + encodeURIComponent(current.text);
      }
      var fits = url !== null && url.length <= data.url_limit;
      if (fits && !keys.length) open.href = url; else open.removeAttribute("href");
      open.hidden = !fits;
      open.setAttribute("aria-disabled", keys.length ? "true" : "false");
      var save = "add it to the repository as " + current.path + " in a pull request (or give it to " +
        "someone who can); the check runs on the pull request.";
      if (!data.new_file) handover.textContent = "This site has no repository address (repo_url), so " +
        "copy the text or download the file, then " + save;
      else if (!fits) handover.textContent = "The text is too long for a link (" + url.length +
        " characters; " + data.url_limit + " at most), so copy the text or download the file, then " + save;
      else handover.textContent = "Open a pull request takes you to " + data.new_file.host + " with this file filled in: " +
        "choose \"Create a new branch\" when you commit, then open the pull request. Or copy or download the file.";
    }

    function addRow(kind) {
      var template = document.getElementById("il-t-" + kind);
      var row = template.content.firstElementChild.cloneNode(true);
      form.querySelector("[data-il-rows='" + kind + "']").appendChild(row);
      row.querySelector(".il-remove").addEventListener("click", function () { row.remove(); update(); });
      update();
      return row;
    }

    form.querySelectorAll("[data-il-add]").forEach(function (button) {
      button.addEventListener("click", function () { addRow(button.dataset.ilAdd); });
    });
    function mark(event) {
      var target = event.target;
      if (!target || !target.matches("input, select, textarea")) return;
      if (target.name === "id") target.dataset.ilEdited = "1";
      if (target.dataset.ilFold) touched[target.dataset.ilFold] = true;
      var key = fieldKey(target);
      if (key) touched[key] = true;
      if (ORDER.indexOf(key) >= 0) ORDER.forEach(function (name) { if (form.elements[name].value) touched[name] = true; });
      update();
    }
    form.addEventListener("input", mark);
    form.addEventListener("change", mark);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    open.addEventListener("click", function (event) {
      showAll = true;
      update();
      if (Object.keys(current.problems).length) {
        event.preventDefault();
        var first = form.querySelector(".il-invalid");
        if (first) first.scrollIntoView({ block: "center" });
      }
    });
    form.querySelector(".il-copy").addEventListener("click", function () {
      showAll = true;
      update();
      var button = this;
      var done = function () { button.textContent = "Copied"; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(current.text).then(done, function () {});
      } else {
        var range = document.createRange();
        range.selectNodeContents(preview);
        window.getSelection().removeAllRanges();
        window.getSelection().addRange(range);
      }
    });
    form.querySelector(".il-download").addEventListener("click", function () {
      showAll = true;
      update();
      var link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([current.text], { type: "text/markdown" }));
      link.download = current.path.split("/").pop();
      document.body.appendChild(link);
      link.click();
      setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 0);
    });
    update();
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setup);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();

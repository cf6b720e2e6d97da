// Checklist editor: add, remove and reorder topics and items in the page (drag and drop, or the ↑ ↓ buttons),
// flag untranslated texts as the admin types, and redraw the phone-sized preview from the form.
// Without script the same form posts every button to the server, which applies it; either way "Save checklist"
// sends the form to the one check and save of checklists on the server.
(function () {
  "use strict";

  var form = document.querySelector("form[data-checklist-editor]");
  if (!form) return;
  var topicsBox = form.querySelector("[data-topics]");
  var announcer = form.querySelector("[data-announce]");
  var screen = document.querySelector(".phone-screen");
  var previewLang = form.querySelector("#preview_lang");
  var topicTemplate = document.getElementById("topic-template");
  var itemTemplate = document.getElementById("item-template");

  function languages() {
    return form.elements.languages.value.split(",").filter(Boolean);
  }

  function field(name) {
    var element = form.elements[name];
    return element && typeof element.value === "string" ? element.value.trim() : "";
  }

  function texts(prefix) {
    var result = {};
    languages().forEach(function (lang) {
      var value = field(prefix + "_" + lang);
      if (value) result[lang] = value;
    });
    return result;
  }

  function say(message) {
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = message; }, 30);
  }

  function topics() {
    return Array.prototype.slice.call(topicsBox.querySelectorAll(":scope > [data-topic]"));
  }

  function items(topic) {
    return Array.prototype.slice.call(topic.querySelectorAll("[data-items] > [data-item]"));
  }

  // Field names carry positions (t0_title_en, t0_i2_text_cs): give every field its place again after a change.
  function renamed(value, t, i) {
    if (!value) return value;
    if (i !== null && /^t[^_]+_i[^_]+_/.test(value)) return value.replace(/^t[^_]+_i[^_]+_/, "t" + t + "_i" + i + "_");
    if (/^t[^_]+_/.test(value)) return value.replace(/^t[^_]+_/, "t" + t + "_");
    return value;
  }

  function rename(element, t, i) {
    ["name", "id", "for"].forEach(function (attribute) {
      var value = element.getAttribute(attribute);
      if (value !== null) element.setAttribute(attribute, renamed(value, t, i));
    });
  }

  function renumber() {
    var all = topics();
    form.elements.topics.value = String(all.length);
    all.forEach(function (topic, t) {
      topic.id = "topic-" + t;
      topic.querySelectorAll("[data-topic-number]").forEach(function (span) { span.textContent = String(t + 1); });
      Array.prototype.forEach.call(topic.querySelectorAll("[name], [id], [for]"), function (element) {
        if (!element.closest("[data-item]")) rename(element, t, null);
      });
      topic.querySelector("[data-item-count]").value = String(items(topic).length);
      topic.querySelector("[data-op=topic-up]").disabled = t === 0;
      topic.querySelector("[data-op=topic-down]").disabled = t === all.length - 1;
      var rows = items(topic);
      rows.forEach(function (row, i) {
        row.id = "item-" + t + "-" + i;
        Array.prototype.forEach.call(row.querySelectorAll("[name], [id], [for]"), function (element) {
          rename(element, t, i);
        });
        var itemId = row.querySelector("[data-item-id]").value || "(no id)";
        row.querySelector("[data-op=item-up]").setAttribute("aria-label", "Move item " + itemId + " up");
        row.querySelector("[data-op=item-down]").setAttribute("aria-label", "Move item " + itemId + " down");
        row.querySelector("[data-op=remove-item]").setAttribute("aria-label", "Remove item " + itemId);
        row.querySelector("[data-op=item-up]").disabled = t === 0 && i === 0;
        row.querySelector("[data-op=item-down]").disabled = t === all.length - 1 && i === rows.length - 1;
      });
    });
    refresh();
  }

  function takenIds(selector) {
    var taken = {};
    form.querySelectorAll(selector).forEach(function (input) { taken[input.value.trim()] = true; });
    return taken;
  }

  function freshId(selector, stem) {
    var taken = takenIds(selector);
    var number = 1;
    while (taken[stem + number]) number += 1;
    return stem + number;
  }

  function fromTemplate(template) {
    return template.content.firstElementChild.cloneNode(true);
  }

  function newItem(topic) {
    var row = fromTemplate(itemTemplate);
    row.querySelector("[data-item-id]").value = freshId("[data-item-id]", "item");
    topic.querySelector("[data-items]").appendChild(row);
    return row;
  }

  function addTopic() {
    var topic = fromTemplate(topicTemplate);
    topic.querySelector("[data-topic-id]").value = freshId("[data-topic-id]", "topic-");
    topicsBox.appendChild(topic);
    newItem(topic);
    showHandles(topic);
    renumber();
    topic.querySelector("[name$='_title_en']").focus();
    say("Topic " + topics().length + " added, with one item.");
  }

  function addItem(topic) {
    var row = newItem(topic);
    showHandles(row);
    renumber();
    row.querySelector("textarea, input:not([type=hidden])[name$='_text_en']").focus();
    say("Item " + row.querySelector("[data-item-id]").value + " added to topic " + (topics().indexOf(topic) + 1) + ".");
  }

  function moveTopic(topic, step) {
    var all = topics();
    var index = all.indexOf(topic);
    var target = all[index + step];
    if (!target) return;
    topicsBox.insertBefore(topic, step < 0 ? target : target.nextSibling);
    renumber();
    say("Topic moved to position " + (index + step + 1) + " of " + all.length + ".");
  }

  function moveItem(row, step) {
    var topic = row.closest("[data-topic]");
    var all = topics();
    var t = all.indexOf(topic);
    var rows = items(topic);
    var index = rows.indexOf(row);
    var body = topic.querySelector("[data-items]");
    if (step < 0 && index > 0) {
      body.insertBefore(row, rows[index - 1]);
    } else if (step > 0 && index < rows.length - 1) {
      body.insertBefore(row, rows[index + 1].nextSibling);
    } else if (step < 0 && t > 0) {
      all[t - 1].querySelector("[data-items]").appendChild(row);  // up across the topic boundary
    } else if (step > 0 && t < all.length - 1) {
      var next = all[t + 1].querySelector("[data-items]");
      var first = next.querySelector("[data-item]");
      next.insertBefore(row, first);
    } else {
      return;
    }
    renumber();
    placeSaid(row);
  }

  function placeSaid(row) {
    var topic = row.closest("[data-topic]");
    say("Item " + (row.querySelector("[data-item-id]").value || "") + " is now item " + (items(topic).indexOf(row) + 1) +
        " of topic " + (topics().indexOf(topic) + 1) + ".");
  }

  function remove(element, what) {
    var next = element.nextElementSibling || element.previousElementSibling;
    element.remove();
    renumber();
    say(what + " removed; nothing is saved until you press Save checklist.");
    var focusable = next && next.querySelector("button:not([disabled])");
    (focusable || form.querySelector("[data-op=add-topic]")).focus();
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-op]");
    if (!button) return;
    event.preventDefault();
    var topic = button.closest("[data-topic]");
    var row = button.closest("[data-item]");
    var op = button.getAttribute("data-op");
    if (op === "add-topic") addTopic();
    else if (op === "add-item") addItem(topic);
    else if (op === "topic-up" || op === "topic-down") { moveTopic(topic, op === "topic-up" ? -1 : 1); keepFocus(topic, op); }
    else if (op === "remove-topic") remove(topic, "Topic");
    else if (op === "item-up" || op === "item-down") { moveItem(row, op === "item-up" ? -1 : 1); keepFocus(row, op); }
    else if (op === "remove-item") remove(row, "Item");
  });

  // The moved button keeps the focus, or its twin when it has just become disabled at an end.
  function keepFocus(container, op) {
    var button = container.querySelector("[data-op=" + op + "]");
    if (button.disabled) {
      var twin = {"item-up": "item-down", "item-down": "item-up", "topic-up": "topic-down", "topic-down": "topic-up"}[op];
      button = container.querySelector("[data-op=" + twin + "]");
    }
    button.focus();
  }

  // Drag and drop: a handle on each item row and topic; the ↑ ↓ buttons do the same from the keyboard.
  var dragged = null;

  function showHandles(root) {
    root.querySelectorAll(".drag-handle").forEach(function (handle) { handle.hidden = false; });
    if (root.classList && root.matches(".drag-handle")) root.hidden = false;
  }

  form.addEventListener("dragstart", function (event) {
    var handle = event.target.closest && event.target.closest(".drag-handle");
    if (!handle) return;
    dragged = handle.closest("[data-item]") || handle.closest("[data-topic]");
    dragged.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.id);
  });

  function dropPlace(event) {
    if (!dragged) return null;
    if (dragged.matches("[data-item]")) {
      var row = event.target.closest("[data-item]");
      if (row && row !== dragged) {
        var box = row.getBoundingClientRect();
        return {parent: row.parentNode, before: event.clientY < box.top + box.height / 2 ? row : row.nextSibling};
      }
      var topic = event.target.closest("[data-topic]");
      if (topic && !row) {
        var body = topic.querySelector("[data-items]");
        var title = event.target.closest(".topic-title, legend, .inline-form");
        return {parent: body, before: title ? body.querySelector("[data-item]") : null};
      }
      return null;
    }
    var target = event.target.closest("[data-topic]");
    if (!target || target === dragged) return null;
    var rect = target.getBoundingClientRect();
    return {parent: topicsBox, before: event.clientY < rect.top + rect.height / 2 ? target : target.nextSibling};
  }

  form.addEventListener("dragover", function (event) {
    if (dropPlace(event)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
    }
  });

  form.addEventListener("drop", function (event) {
    var place = dropPlace(event);
    if (!place) return;
    event.preventDefault();
    place.parent.insertBefore(dragged, place.before);
    var moved = dragged;
    renumber();
    if (moved.matches("[data-item]")) placeSaid(moved);
    else say("Topic moved to position " + (topics().indexOf(moved) + 1) + " of " + topics().length + ".");
  });

  form.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
  });

  // Untranslated texts: flagged beside the English as the admin types, and counted per language.
  function flagRow(row) {
    var english = row.querySelector("[lang=en][name]");
    var hasEnglish = english && english.value.trim() !== "";
    row.querySelectorAll("td.text-cell").forEach(function (cell) {
      var input = cell.querySelector("[name]");
      if (!input || input.getAttribute("lang") === "en") return;
      var missing = hasEnglish && input.value.trim() === "";
      cell.classList.toggle("untranslated", missing);
      var flag = cell.querySelector(".flag");
      if (missing && !flag) {
        flag = document.createElement("span");
        flag.className = "flag";
        flag.textContent = "untranslated";
        cell.appendChild(flag);
      } else if (!missing && flag) {
        flag.remove();
      }
    });
  }

  function countMissing() {
    languages().forEach(function (lang) {
      var badge = form.querySelector("[data-missing='" + lang + "']");
      if (!badge) return;
      var rows = form.querySelectorAll("tr");
      var count = 0;
      rows.forEach(function (row) {
        if (row.closest("[data-scale-labels]")) return;  // words for scores are optional
        var english = row.querySelector("[lang=en][name]");
        var other = row.querySelector("[lang='" + lang + "'][name]");
        if (english && other && english.name.indexOf("description") !== 0 && english.value.trim() && !other.value.trim()) {
          count += 1;
        }
      });
      badge.textContent = count ? count + " untranslated" : "complete";
      badge.className = "badge " + (count ? "badge-closed" : "badge-open");
    });
  }

  // Words for scores: one row per score of the chosen scale.
  function scaleRows() {
    var body = form.querySelector("[data-scale-labels]");
    var low = parseInt(form.elements.scale_min.value, 10);
    var high = parseInt(form.elements.scale_max.value, 10);
    var existing = {};
    body.querySelectorAll("tr[data-score]").forEach(function (row) { existing[row.getAttribute("data-score")] = row; });
    var template = body.querySelector("tr[data-score]");
    for (var score = low; score <= high; score += 1) {
      var row = existing[score];
      if (!row) {
        row = template.cloneNode(true);
        row.setAttribute("data-score", String(score));
        row.querySelector("th").textContent = String(score);
        row.querySelectorAll("[name], [id], [for]").forEach(function (element) {
          ["name", "id", "for"].forEach(function (attribute) {
            var value = element.getAttribute(attribute);
            if (value) element.setAttribute(attribute, value.replace(/^scale_label_\d+_/, "scale_label_" + score + "_"));
          });
          if (element.value !== undefined && element.matches("input, textarea")) element.value = "";
        });
        row.querySelectorAll(".flag").forEach(function (flag) { flag.remove(); });
        row.querySelectorAll(".untranslated").forEach(function (cell) { cell.classList.remove("untranslated"); });
      }
      body.appendChild(row);
      delete existing[score];
    }
    Object.keys(existing).forEach(function (score) { existing[score].hidden = true; existing[score].remove(); });
  }

  // The phone-sized preview, drawn from the form as the walker app shows the checklist.
  function element(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function local(text, lang) {
    return text[lang] || text.en || "";
  }

  function drawPreview() {
    if (!screen) return;
    var lang = previewLang ? previewLang.value : "en";
    var low = parseInt(form.elements.scale_min.value, 10);
    var high = parseInt(form.elements.scale_max.value, 10);
    var dontKnow = form.elements.dont_know.checked;
    var nodes = [element("p", {"class": "phone-bar"}, [local(texts("title"), lang)])];
    topics().forEach(function (topic, t) {
      nodes.push(element("h3", {"class": "phone-topic"}, [local(texts("t" + t + "_title"), lang)]));
      items(topic).forEach(function (row, i) {
        var text = texts("t" + t + "_i" + i + "_text");
        var own = text[lang];
        var itemId = row.querySelector("[data-item-id]").value;
        var legend = own ? element("legend", {}, [own])
          : element("legend", {"lang": "en", "class": "fallback"}, [text.en || ""]);
        var choices = [];
        for (var score = low; score <= high; score += 1) {
          var words = texts("scale_label_" + score);
          var parts = [element("input", {type: "radio", name: "p-" + itemId}), element("span", {"class": "num"}, [String(score)])];
          if (words.en || words[lang]) parts.push(element("span", {"class": "phone-hint"}, [local(words, lang)]));
          choices.push(element("label", {"class": "phone-choice"}, parts));
        }
        var children = [legend, element("div", {"class": "phone-scale"}, choices)];
        if (dontKnow) {
          children.push(element("label", {"class": "phone-choice phone-dk"},
            [element("input", {type: "radio", name: "p-" + itemId}), " Don't know"]));
        }
        var box = element("fieldset", {"class": "phone-item", disabled: "", "data-preview-item": itemId}, children);
        nodes.push(box);
      });
    });
    screen.setAttribute("lang", lang);
    screen.replaceChildren.apply(screen, nodes);
  }

  var pending = null;
  function refresh() {
    if (pending) return;
    pending = window.requestAnimationFrame(function () {
      pending = null;
      form.querySelectorAll("tr").forEach(flagRow);
      countMissing();
      drawPreview();
    });
  }

  form.addEventListener("input", function (event) {
    if (event.target.matches("[data-item-id]")) renumber();
    else refresh();
  });
  form.addEventListener("change", function (event) {
    if (event.target === form.elements.scale_min || event.target === form.elements.scale_max) scaleRows();
    refresh();
  });

  // With script, every structural change happens here; the buttons that would post the form to redo it go.
  form.querySelectorAll("[data-without-script]").forEach(function (node) { node.hidden = true; });
  showHandles(form);
  form.setAttribute("data-editor-ready", "");
  refresh();
}());

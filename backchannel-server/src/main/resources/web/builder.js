// The Flow Builder: a workflow's definition, as the API shows it (header values "[redacted]"),
// edited in the page: stages and actions on the canvas, the selected action's steps in the left
// sidebar, a modal for each step (an API Call's URL, method and headers), Apply to put the step in
// the draft, Save to send the whole definition. The server checks it as PUT /api/v1/workflows/{id}
// does and answers in JSON; refused, its reasons are shown by the fields they name
// ("actions[1].steps[0].url"), and nothing is saved. A header value left as "[redacted]" keeps the
// saved one; typing a new value replaces only that header.
(function () {
  "use strict";
  var root = document.getElementById("flow-builder");
  if (!root || !window.fetch) {
    return;
  }
  var data = JSON.parse(root.getAttribute("data-builder"));
  var draft = data.workflow;
  var csrf = document.getElementById("builder-csrf").value;
  var saveButton = document.getElementById("builder-save");
  var statusLine = document.getElementById("builder-status");
  var summary = document.getElementById("builder-errors");
  var versionLabel = document.getElementById("builder-version");
  var dialog = document.getElementById("step-dialog");
  var stepForm = document.getElementById("step-form");
  var stepTitle = document.getElementById("step-dialog-title");
  var stepFields = document.getElementById("step-fields");

  var TYPES = ["text", "number", "boolean", "date", "person", "choice"];
  var METHODS = ["POST", "GET", "PUT", "PATCH", "DELETE"];
  var KINDS = [
    { type: "api_call", label: "API Call" },
    { type: "move_to_stage", label: "Move to stage" },
    { type: "set_fields", label: "Set fields" },
    { type: "assign", label: "Assign" }
  ];
  var REDACTED = "[redacted]";

  var selected = draft.actions.length ? 0 : -1; // the action shown in the sidebar
  var errors = {}; // the last refused save's reasons, by path
  var dialogErrors = {}; // the open step's own checks, by path
  var dirty = false;
  var editing = null; // the step in the modal: {action, index, step, headers, values}
  var menuOpen = false;
  var counter = 0;
  var pointerDown = false;
  var pending = false;

  // A rename redraws what shows the name. Done while a button is being pressed, the redraw would
  // replace the button under the pointer and the press would be lost: it waits until the press is
  // over (the button's own action usually redraws anyway).
  document.addEventListener(
    "pointerdown",
    function () {
      pointerDown = true;
    },
    true
  );
  document.addEventListener(
    "pointerup",
    function () {
      pointerDown = false;
      if (pending) {
        setTimeout(function () {
          if (pending) {
            render();
          }
        }, 0);
      }
    },
    true
  );

  function requestRender() {
    if (pointerDown) {
      pending = true;
    } else {
      render();
    }
  }

  // ---- small helpers

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) {
        return;
      }
      if (k === "text") {
        e.textContent = v;
      } else if (k.indexOf("on") === 0) {
        e.addEventListener(k.slice(2), v);
      } else if (k === "value" || k === "checked" || k === "selected") {
        e[k] = v;
      } else {
        e.setAttribute(k, v === true ? "" : v);
      }
    });
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined && c !== false) {
        e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
      }
    });
    return e;
  }

  function uid() {
    counter += 1;
    return "fb-" + counter;
  }

  function kindLabel(type) {
    var k = KINDS.filter(function (x) {
      return x.type === type;
    })[0];
    return k ? k.label : type;
  }

  function personName(id) {
    var p = data.people.filter(function (x) {
      return x.id === id;
    })[0];
    return p ? p.name : "user " + id;
  }

  /** A step as people read it; an API Call shows where it goes and its headers' names only. */
  function describe(step) {
    switch (step.type) {
      case "api_call":
        var names = Object.keys(step.headers || {});
        return (
          (step.method || "POST") +
          " " +
          (step.url || "(no URL)") +
          (names.length ? " · headers: " + names.join(", ") : "")
        );
      case "move_to_stage":
        return "to " + (step.stage || "(no stage)");
      case "set_fields":
        return Object.keys(step.values || {})
          .map(function (f) {
            var v = step.values[f];
            return f + " = " + (v === null ? "(cleared)" : String(v));
          })
          .join(", ");
      case "assign":
        return (
          (step.field || "(no field)") +
          " to " +
          (step.user_id === null || step.user_id === undefined
            ? "the person running the action"
            : personName(step.user_id))
        );
      default:
        return "";
    }
  }

  function changed() {
    dirty = true;
    saveButton.disabled = false;
    status("Unsaved changes.");
  }

  function status(text) {
    statusLine.textContent = text;
  }

  /** After adding, removing or moving things, positions in the last errors name other things. */
  function structureChanged() {
    errors = {};
    summary.textContent = "";
    changed();
  }

  // ---- renames follow into what refers to the renamed field or stage

  function renameField(from, to) {
    if (!from || from === to) {
      return;
    }
    if (draft.unique_field === from) {
      draft.unique_field = to;
    }
    draft.actions.forEach(function (a) {
      a.requirements = (a.requirements || []).map(function (r) {
        return r === from ? to : r;
      });
      a.steps.forEach(function (s) {
        if (s.type === "assign" && s.field === from) {
          s.field = to;
        }
        if (s.type === "set_fields" && s.values && Object.prototype.hasOwnProperty.call(s.values, from)) {
          var values = {};
          Object.keys(s.values).forEach(function (k) {
            values[k === from ? to : k] = s.values[k];
          });
          s.values = values;
        }
      });
    });
  }

  function renameStage(from, to) {
    if (!from || from === to) {
      return;
    }
    draft.actions.forEach(function (a) {
      a.stages = (a.stages || []).map(function (s) {
        return s === from ? to : s;
      });
      a.steps.forEach(function (s) {
        if (s.type === "move_to_stage" && s.stage === from) {
          s.stage = to;
        }
      });
    });
  }

  function move(list, index, by) {
    var to = index + by;
    if (to < 0 || to >= list.length) {
      return false;
    }
    var item = list.splice(index, 1)[0];
    list.splice(to, 0, item);
    return true;
  }

  // ---- controls bound to the draft

  /** A labelled text input; {@code rename} is told the old and new value when it changes. */
  function textInput(label, value, path, set, rename, extra) {
    var id = uid();
    var before = value;
    var input = el("input", {
      type: "text",
      id: id,
      value: value || "",
      "data-path": path,
      "data-key": path || (extra && extra.ariaLabel) || label,
      "aria-label": extra && extra.ariaLabel,
      inputmode: extra && extra.inputmode,
      oninput: function () {
        set(input.value);
        if (!dialog.contains(input)) {
          changed(); // in the modal, only Apply changes the draft
        }
      },
      onchange: function () {
        if (rename) {
          rename(before, input.value.trim());
          before = input.value.trim();
          requestRender();
        }
      }
    });
    var cls = "form-field" + (extra && extra.className ? " " + extra.className : "");
    return el("div", { class: cls }, [el("label", { for: id, text: label }), input]);
  }

  function checkbox(label, checked, path, set, key) {
    var id = uid();
    var box = el("input", {
      type: "checkbox",
      id: id,
      checked: !!checked,
      "data-path": path,
      "data-key": key || path || label,
      onchange: function () {
        set(box.checked);
        changed();
        render();
      }
    });
    return el("label", { class: "check", for: id }, [box, " " + label]);
  }

  function select(label, options, value, path, set, ariaLabel) {
    var id = uid();
    var s = el(
      "select",
      {
        id: id,
        "data-path": path,
        "data-key": path || ariaLabel || label,
        "aria-label": ariaLabel,
        onchange: function () {
          set(s.value);
          if (!dialog.contains(s)) {
            changed();
            render();
          }
        }
      },
      options.map(function (o) {
        return el("option", { value: o.value, text: o.label, selected: String(o.value) === String(value) });
      })
    );
    return el("div", { class: "form-field" }, [el("label", { for: id, text: label }), s]);
  }

  function iconButton(text, label, onclick, disabled) {
    return el("button", {
      type: "button",
      class: "icon",
      "aria-label": label,
      title: label,
      text: text,
      disabled: !!disabled,
      onclick: onclick
    });
  }

  // ---- the page

  function render() {
    pending = false;
    var focused = document.activeElement && document.activeElement.getAttribute("data-key");
    root.textContent = "";
    root.appendChild(sidebar());
    root.appendChild(canvas());
    showErrors(root);
    if (focused) {
      var again = root.querySelector('[data-key="' + focused + '"]');
      if (again) {
        again.focus();
      }
    }
  }

  /** The left sidebar: the selected action, its settings and its steps in order. */
  function sidebar() {
    var side = el("aside", { class: "builder-sidebar", "aria-labelledby": "action-title" });
    if (selected < 0 || !draft.actions[selected]) {
      side.appendChild(el("h2", { id: "action-title", text: "Actions" }));
      side.appendChild(
        el("p", { class: "empty", text: "Select an action on the canvas, or add one with + New action." })
      );
      return side;
    }
    var i = selected;
    var a = draft.actions[i];
    var at = "actions[" + i + "]";
    side.setAttribute("data-path", at);
    side.appendChild(el("h2", { id: "action-title", text: "Action: " + (a.name || "(unnamed)") }));
    side.appendChild(
      textInput("Action name", a.name, at + ".name", function (v) {
        a.name = v;
        var card = root.querySelector('[data-key="action-' + i + '"] .action-name');
        if (card) {
          card.textContent = v || "(unnamed)";
        }
      })
    );

    var stagesSet = el("fieldset", { class: "choices", "data-path": at + ".stages" }, [
      el("legend", { text: "Available in (none: every stage)" })
    ]);
    draft.stages.forEach(function (s) {
      stagesSet.appendChild(
        checkbox(s.name, (a.stages || []).indexOf(s.name) >= 0, null, function (on) {
          a.stages = draft.stages
            .map(function (x) {
              return x.name;
            })
            .filter(function (n) {
              return n === s.name ? on : (a.stages || []).indexOf(n) >= 0;
            });
        }, at + ".stages:" + s.name)
      );
    });
    side.appendChild(stagesSet);

    var who = el("fieldset", { class: "choices", "data-path": at + ".roles" }, [
      el("legend", { text: "Who may run it (none: everyone)" })
    ]);
    [
      { role: "admin", label: "Admins" },
      { role: "member", label: "Members" }
    ].forEach(function (r) {
      who.appendChild(
        checkbox(r.label, (a.roles || []).indexOf(r.role) >= 0, null, function (on) {
          a.roles = (a.roles || []).filter(function (x) {
            return x !== r.role;
          });
          if (on) {
            a.roles.push(r.role);
          }
        }, at + ".roles:" + r.role)
      );
    });
    var peopleId = uid();
    var users = el(
      "select",
      {
        id: peopleId,
        multiple: true,
        "data-path": at + ".users",
        onchange: function () {
          a.users = Array.prototype.filter
            .call(users.options, function (o) {
              return o.selected;
            })
            .map(function (o) {
              return Number(o.value);
            });
          changed();
        }
      },
      data.people.map(function (p) {
        return el("option", {
          value: p.id,
          text: p.name + " (" + p.email + ")",
          selected: (a.users || []).indexOf(p.id) >= 0
        });
      })
    );
    who.appendChild(el("div", { class: "form-field" }, [el("label", { for: peopleId, text: "And these people" }), users]));
    side.appendChild(who);

    var needs = el("fieldset", { class: "choices", "data-path": at + ".requirements" }, [
      el("legend", { text: "Needs these fields set" })
    ]);
    draft.fields.forEach(function (f) {
      needs.appendChild(
        checkbox(f.name, (a.requirements || []).indexOf(f.name) >= 0, null, function (on) {
          a.requirements = (a.requirements || []).filter(function (x) {
            return x !== f.name;
          });
          if (on) {
            a.requirements.push(f.name);
          }
        }, at + ".requirements:" + f.name)
      );
    });
    side.appendChild(needs);

    side.appendChild(el("h3", { id: "steps-title", text: "Steps" }));
    var steps = el("ol", { class: "builder-steps", "aria-labelledby": "steps-title", "data-path": at + ".steps" });
    a.steps.forEach(function (s, j) {
      var n = j + 1;
      var label = "step " + n + ": " + kindLabel(s.type);
      steps.appendChild(
        el("li", { class: "builder-step", "data-path": at + ".steps[" + j + "]" }, [
          el("span", { class: "step-kind", text: kindLabel(s.type) }),
          " ",
          el("span", { class: "step-what", text: describe(s) }),
          el("span", { class: "step-buttons" }, [
            el("button", {
              type: "button",
              class: "secondary",
              "data-key": "edit-" + i + "-" + j,
              "aria-label": "Edit " + label,
              text: "Edit",
              onclick: function () {
                openStep(i, j, s.type);
              }
            }),
            iconButton("↑", "Move " + label + " up", function () {
              if (move(a.steps, j, -1)) {
                structureChanged();
                render();
              }
            }, j === 0),
            iconButton("↓", "Move " + label + " down", function () {
              if (move(a.steps, j, 1)) {
                structureChanged();
                render();
              }
            }, j === a.steps.length - 1),
            iconButton("✕", "Remove " + label, function () {
              a.steps.splice(j, 1);
              structureChanged();
              render();
            })
          ])
        ])
      );
    });
    if (!a.steps.length) {
      steps.appendChild(el("li", { class: "empty", text: "No steps yet." }));
    }
    side.appendChild(steps);

    var menuId = uid();
    var newStep = el("button", {
      type: "button",
      "data-key": "new-step",
      "aria-expanded": menuOpen ? "true" : "false",
      "aria-controls": menuId,
      text: "+ New step",
      onclick: function () {
        menuOpen = !menuOpen;
        render();
        var first = root.querySelector("#" + menuId + " button");
        if (menuOpen && first) {
          first.focus();
        }
      }
    });
    var menu = el(
      "ul",
      { id: menuId, class: "step-menu", hidden: !menuOpen, "aria-label": "Step kinds" },
      KINDS.map(function (k) {
        return el("li", {}, [
          el("button", {
            type: "button",
            class: "secondary",
            text: k.label,
            onclick: function () {
              menuOpen = false;
              openStep(i, a.steps.length, k.type);
            }
          })
        ]);
      })
    );
    side.appendChild(el("div", { class: "new-step" }, [newStep, menu]));
    side.appendChild(
      el("p", { class: "danger-zone" }, [
        el("button", {
          type: "button",
          class: "secondary",
          text: "Remove action",
          "aria-label": "Remove the action " + (a.name || ""),
          onclick: function () {
            draft.actions.splice(i, 1);
            selected = draft.actions.length ? Math.min(i, draft.actions.length - 1) : -1;
            structureChanged();
            render();
          }
        })
      ])
    );
    return side;
  }

  /** The canvas: stages, the actions (select one to edit it), the fields and the settings. */
  function canvas() {
    var main = el("div", { class: "builder-canvas" });

    var stages = el("section", { class: "builder-section", "aria-labelledby": "stages-title", "data-path": "stages" }, [
      el("h2", { id: "stages-title", text: "Stages" })
    ]);
    var row = el("ol", { class: "builder-stages" });
    draft.stages.forEach(function (s, i) {
      var n = i + 1;
      var at = "stages[" + i + "]";
      row.appendChild(
        el("li", { class: "builder-stage" + (s.end ? " end" : "") }, [
          textInput("Stage " + n, s.name, at + ".name", function (v) {
            s.name = v;
          }, renameStage),
          checkbox("End stage", s.end, at + ".end", function (on) {
            s.end = on;
          }),
          el("span", { class: "row-buttons" }, [
            iconButton("←", "Move stage " + n + " earlier", function () {
              if (move(draft.stages, i, -1)) {
                structureChanged();
                render();
              }
            }, i === 0),
            iconButton("→", "Move stage " + n + " later", function () {
              if (move(draft.stages, i, 1)) {
                structureChanged();
                render();
              }
            }, i === draft.stages.length - 1),
            iconButton("✕", "Remove stage " + n, function () {
              var gone = draft.stages.splice(i, 1)[0];
              draft.actions.forEach(function (a) {
                a.stages = (a.stages || []).filter(function (x) {
                  return x !== gone.name;
                });
              });
              structureChanged();
              render();
            })
          ])
        ])
      );
    });
    stages.appendChild(row);
    stages.appendChild(
      el("button", {
        type: "button",
        class: "secondary",
        "data-key": "new-stage",
        text: "+ New stage",
        onclick: function () {
          draft.stages.push({ name: "Stage " + (draft.stages.length + 1), end: false });
          structureChanged();
          render();
        }
      })
    );
    main.appendChild(stages);

    var actions = el("section", { class: "builder-section", "aria-labelledby": "actions-title", "data-path": "actions" }, [
      el("h2", { id: "actions-title", text: "Actions" })
    ]);
    var cards = el("ul", { class: "builder-actions" });
    draft.actions.forEach(function (a, i) {
      cards.appendChild(
        el("li", {}, [
          el(
            "button",
            {
              type: "button",
              class: "action-card" + (i === selected ? " selected" : ""),
              "aria-pressed": i === selected ? "true" : "false",
              "data-key": "action-" + i,
              "data-path": "actions[" + i + "]",
              onclick: function () {
                selected = i;
                menuOpen = false;
                render();
              }
            },
            [
              el("span", { class: "action-name", text: a.name || "(unnamed)" }),
              el("span", {
                class: "action-meta",
                text:
                  ((a.stages || []).length ? "in " + a.stages.join(", ") : "in every stage") +
                  " · " +
                  a.steps.length +
                  (a.steps.length === 1 ? " step" : " steps")
              })
            ]
          )
        ])
      );
    });
    actions.appendChild(cards);
    actions.appendChild(
      el("button", {
        type: "button",
        class: "secondary",
        "data-key": "new-action",
        text: "+ New action",
        onclick: function () {
          draft.actions.push({ name: "Action " + (draft.actions.length + 1), roles: [], users: [], stages: [], requirements: [], steps: [] });
          selected = draft.actions.length - 1;
          structureChanged();
          render();
        }
      })
    );
    main.appendChild(actions);

    var fields = el("section", { class: "builder-section", "aria-labelledby": "fields-title", "data-path": "fields" }, [
      el("h2", { id: "fields-title", text: "Fields" })
    ]);
    var list = el("ol", { class: "builder-fields" });
    draft.fields.forEach(function (f, i) {
      var n = i + 1;
      var at = "fields[" + i + "]";
      var item = el("li", { class: "builder-field" }, [
        textInput("Field " + n, f.name, at + ".name", function (v) {
          f.name = v;
        }, renameField),
        select(
          "Type",
          TYPES.map(function (t) {
            return { value: t, label: t };
          }),
          f.type,
          at + ".type",
          function (v) {
            f.type = v;
            if (v !== "choice") {
              delete f.choices;
            } else if (!f.choices) {
              f.choices = [];
            }
          },
          "Field " + n + " type"
        ),
        checkbox("Required", f.required, at + ".required", function (on) {
          f.required = on;
        })
      ]);
      item.appendChild(
        el("span", { class: "row-buttons" }, [
          iconButton("↑", "Move field " + n + " up", function () {
            if (move(draft.fields, i, -1)) {
              structureChanged();
              render();
            }
          }, i === 0),
          iconButton("↓", "Move field " + n + " down", function () {
            if (move(draft.fields, i, 1)) {
              structureChanged();
              render();
            }
          }, i === draft.fields.length - 1),
          iconButton("✕", "Remove field " + n, function () {
            var gone = draft.fields.splice(i, 1)[0];
            if (draft.unique_field === gone.name) {
              draft.unique_field = null;
            }
            draft.actions.forEach(function (a) {
              a.requirements = (a.requirements || []).filter(function (x) {
                return x !== gone.name;
              });
            });
            structureChanged();
            render();
          })
        ])
      );
      if (f.type === "choice") {
        item.appendChild(
          textInput("Choices (comma-separated)", (f.choices || []).join(", "), at + ".choices", function (v) {
            f.choices = v
              .split(",")
              .map(function (x) {
                return x.trim();
              })
              .filter(Boolean);
          }, null, { ariaLabel: "Field " + n + " choices", className: "choices-field" })
        );
      }
      list.appendChild(item);
    });
    fields.appendChild(list);
    fields.appendChild(
      el("button", {
        type: "button",
        class: "secondary",
        "data-key": "new-field",
        text: "+ New field",
        onclick: function () {
          draft.fields.push({ name: "Field " + (draft.fields.length + 1), type: "text", required: false });
          structureChanged();
          render();
        }
      })
    );
    main.appendChild(fields);

    var settings = el("section", { class: "builder-section", "aria-labelledby": "settings-title" }, [
      el("h2", { id: "settings-title", text: "Workflow" }),
      textInput("Workflow name", draft.name, "name", function (v) {
        draft.name = v;
      }),
      select(
        "App (its secret signs the API calls)",
        data.apps.map(function (a) {
          return { value: a.id, label: a.name };
        }),
        draft.app_id,
        "app_id",
        function (v) {
          draft.app_id = Number(v);
        }
      ),
      select(
        "Unique ID",
        [{ value: "", label: "None" }].concat(
          draft.fields
            .filter(function (f) {
              return f.type !== "boolean";
            })
            .map(function (f) {
              return { value: f.name, label: f.name };
            })
        ),
        draft.unique_field || "",
        "unique_field",
        function (v) {
          draft.unique_field = v || null;
        }
      )
    ]);
    main.appendChild(settings);
    return main;
  }

  // ---- the step modal

  function openStep(actionIndex, index, type) {
    var a = draft.actions[actionIndex];
    var saved = a.steps[index];
    var step = saved ? JSON.parse(JSON.stringify(saved)) : { type: type };
    if (type === "api_call") {
      step.method = step.method || "POST";
    }
    editing = {
      action: actionIndex,
      index: index,
      isNew: !saved,
      step: step,
      headers: Object.keys(step.headers || {}).map(function (k) {
        return { name: k, value: step.headers[k] };
      }),
      values: Object.keys(step.values || {}).map(function (k) {
        var v = step.values[k];
        return { field: k, value: v === null ? "" : String(v) };
      })
    };
    dialogErrors = {};
    stepTitle.textContent = (saved ? "Edit step " + (index + 1) + ": " : "New step: ") + kindLabel(type);
    drawStep();
    if (dialog.showModal) {
      dialog.showModal();
    } else {
      dialog.setAttribute("open", "");
    }
    var first = stepFields.querySelector("input, select");
    if (first) {
      first.focus();
    }
  }

  /** The modal's fields name what the server names: the step's own path, once it is saved. */
  function stepPath() {
    return editing.isNew ? "new-step." : "actions[" + editing.action + "].steps[" + editing.index + "].";
  }

  function drawStep() {
    var p = stepPath();
    var s = editing.step;
    stepFields.textContent = "";
    if (s.type === "api_call") {
      stepFields.appendChild(
        textInput("URL", s.url, p + "url", function (v) {
          s.url = v.trim();
        }, null, { inputmode: "url" })
      );
      stepFields.appendChild(
        select(
          "Method",
          METHODS.map(function (m) {
            return { value: m, label: m };
          }),
          s.method,
          p + "method",
          function (v) {
            s.method = v;
          }
        )
      );
      var set = el("fieldset", { class: "headers-set", "data-path": p + "headers" }, [
        el("legend", { text: "Headers" }),
        el("p", {
          class: "hint",
          text: "Values are secrets: a saved value shows as " + REDACTED + " and is kept unless you type a new one."
        })
      ]);
      editing.headers.forEach(function (h, k) {
        var n = k + 1;
        set.appendChild(
          el("div", { class: "header-row" }, [
            textInput("Name", h.name, null, function (v) {
              h.name = v.trim();
            }, null, { ariaLabel: "Header " + n + " name" }),
            textInput("Value", h.value, p + "headers." + h.name, function (v) {
              h.value = v;
            }, null, { ariaLabel: "Header " + n + " value" }),
            iconButton("✕", "Remove header " + n, function () {
              editing.headers.splice(k, 1);
              drawStep();
            })
          ])
        );
      });
      set.appendChild(
        el("button", {
          type: "button",
          class: "secondary",
          text: "+ Add header",
          onclick: function () {
            editing.headers.push({ name: "", value: "" });
            drawStep();
            var inputs = set.parentNode.querySelectorAll(".header-row input");
            if (inputs.length >= 2) {
              inputs[inputs.length - 2].focus();
            }
          }
        })
      );
      stepFields.appendChild(set);
    } else if (s.type === "move_to_stage") {
      stepFields.appendChild(
        select(
          "Stage",
          [{ value: "", label: "Choose a stage" }].concat(
            draft.stages.map(function (x) {
              return { value: x.name, label: x.name };
            })
          ),
          s.stage || "",
          p + "stage",
          function (v) {
            s.stage = v;
          }
        )
      );
    } else if (s.type === "set_fields") {
      var values = el("fieldset", { class: "values-set", "data-path": p + "values" }, [
        el("legend", { text: "Values (an empty value clears the field)" })
      ]);
      editing.values.forEach(function (row, k) {
        var n = k + 1;
        values.appendChild(
          el("div", { class: "header-row" }, [
            select(
              "Field",
              [{ value: "", label: "Choose a field" }].concat(
                draft.fields.map(function (f) {
                  return { value: f.name, label: f.name };
                })
              ),
              row.field,
              null,
              function (v) {
                row.field = v;
              },
              "Field " + n
            ),
            textInput("Value", row.value, p + "values." + row.field, function (v) {
              row.value = v;
            }, null, { ariaLabel: "Value " + n }),
            iconButton("✕", "Remove value " + n, function () {
              editing.values.splice(k, 1);
              drawStep();
            })
          ])
        );
      });
      values.appendChild(
        el("button", {
          type: "button",
          class: "secondary",
          text: "+ Add value",
          onclick: function () {
            editing.values.push({ field: "", value: "" });
            drawStep();
          }
        })
      );
      stepFields.appendChild(values);
    } else if (s.type === "assign") {
      stepFields.appendChild(
        select(
          "Person field",
          [{ value: "", label: "Choose a person field" }].concat(
            draft.fields
              .filter(function (f) {
                return f.type === "person";
              })
              .map(function (f) {
                return { value: f.name, label: f.name };
              })
          ),
          s.field || "",
          p + "field",
          function (v) {
            s.field = v;
          }
        )
      );
      stepFields.appendChild(
        select(
          "Assign to",
          [{ value: "", label: "The person running the action" }].concat(
            data.people.map(function (x) {
              return { value: x.id, label: x.name + " (" + x.email + ")" };
            })
          ),
          s.user_id === null || s.user_id === undefined ? "" : s.user_id,
          p + "user_id",
          function (v) {
            s.user_id = v === "" ? null : Number(v);
          }
        )
      );
    }
    showErrors(stepFields);
  }

  /** The modal's own checks, before the step goes into the draft; the server checks the rest. */
  function checkStep() {
    var p = stepPath();
    var s = editing.step;
    var found = {};
    function add(path, reason) {
      (found[path] = found[path] || []).push(reason);
    }
    if (s.type === "api_call") {
      if (!s.url) {
        add(p + "url", "is required");
      } else if (!/^https?:\/\/[^\s/]+/i.test(s.url)) {
        add(p + "url", "must be an absolute http or https URL");
      }
      var seen = {};
      editing.headers.forEach(function (h) {
        if (!h.name) {
          add(p + "headers", "every header needs a name");
        } else if (seen[h.name.toLowerCase()]) {
          add(p + "headers", "'" + h.name + "' is given twice");
        }
        seen[h.name.toLowerCase()] = true;
      });
    } else if (s.type === "move_to_stage" && !s.stage) {
      add(p + "stage", "must name a stage of this workflow");
    } else if (s.type === "set_fields") {
      if (!editing.values.length) {
        add(p + "values", "must set at least one field");
      }
      editing.values.forEach(function (row) {
        if (!row.field) {
          add(p + "values", "every value needs a field");
        }
      });
    } else if (s.type === "assign" && !s.field) {
      add(p + "field", "must name a person field");
    }
    return found;
  }

  function applyStep() {
    var s = editing.step;
    if (s.type === "api_call") {
      s.headers = {};
      editing.headers.forEach(function (h) {
        s.headers[h.name] = h.value;
      });
    }
    if (s.type === "set_fields") {
      s.values = {};
      editing.values.forEach(function (row) {
        s.values[row.field] = row.value === "" ? null : row.value;
      });
    }
    var steps = draft.actions[editing.action].steps;
    if (editing.isNew) {
      steps.push(s);
      structureChanged();
    } else {
      steps[editing.index] = s;
      changed();
    }
  }

  stepForm.addEventListener("submit", function (e) {
    var how = e.submitter ? e.submitter.value : "apply";
    if (how !== "apply" || !editing) {
      return; // Cancel: the dialog closes and the draft stays as it was
    }
    dialogErrors = checkStep();
    if (Object.keys(dialogErrors).length) {
      e.preventDefault();
      drawStep();
      var bad = stepFields.querySelector("[aria-invalid=true]");
      if (bad) {
        bad.focus();
      }
      return;
    }
    applyStep();
    status("Step applied. Save to keep it.");
  });

  dialog.addEventListener("close", function () {
    var at = editing;
    editing = null;
    dialogErrors = {};
    stepFields.textContent = "";
    render();
    status(dirty ? statusLine.textContent : "");
    if (at) {
      var back = root.querySelector('[data-key="edit-' + at.action + "-" + Math.min(at.index, draft.actions[at.action].steps.length - 1) + '"]');
      (back || root.querySelector('[data-key="new-step"]') || saveButton).focus();
    }
  });

  // ---- errors by the fields they name

  function parent(path) {
    var m = /^(.*)(\.[^.[\]]+|\[\d+\])$/.exec(path);
    return m ? m[1] : null;
  }

  /** The reasons to show in {@code container}: by their path's element, or its nearest parent's. */
  function showErrors(container) {
    var all = {};
    [errors, dialogErrors].forEach(function (source) {
      Object.keys(source).forEach(function (k) {
        all[k] = (all[k] || []).concat(source[k]);
      });
    });
    var byTarget = [];
    Object.keys(all).forEach(function (path) {
      for (var p = path; p; p = parent(p)) {
        var target = container.querySelector('[data-path="' + cssEscape(p) + '"]');
        if (target) {
          var rest = p === path ? "" : path.slice(p.length).replace(/^\./, "") + " ";
          var entry = byTarget.filter(function (x) {
            return x.target === target;
          })[0];
          if (!entry) {
            entry = { target: target, reasons: [] };
            byTarget.push(entry);
          }
          all[path].forEach(function (r) {
            entry.reasons.push(rest + r);
          });
          return;
        }
      }
    });
    byTarget.forEach(function (x) {
      var id = uid();
      var note = el("p", { class: "field-error", id: id, text: x.reasons.join("; ") });
      var t = x.target;
      if (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "BUTTON") {
        t.setAttribute("aria-invalid", "true");
        t.setAttribute("aria-describedby", ((t.getAttribute("aria-describedby") || "") + " " + id).trim());
        if (t.tagName === "BUTTON") {
          t.classList.add("invalid");
          t.appendChild(el("span", { class: "card-error", text: x.reasons.join("; ") }));
          return;
        }
        var wrap = t.closest(".form-field, label") || t.parentNode;
        wrap.classList.add("invalid");
        wrap.appendChild(note);
      } else {
        t.classList.add("invalid");
        if (t.tagName === "OL" || t.tagName === "UL") {
          t.parentNode.insertBefore(note, t.nextSibling);
        } else {
          t.appendChild(note);
        }
      }
    });
  }

  function cssEscape(s) {
    return window.CSS && CSS.escape ? CSS.escape(s) : s.replace(/["\\]/g, "\\$&");
  }

  /** A path as people read it: "Finish › step 1 (API Call) › url". */
  function human(path) {
    var parts = [];
    var rest = path;
    var m;
    var action = null;
    if ((m = /^actions\[(\d+)\]\.?/.exec(rest))) {
      action = draft.actions[Number(m[1])];
      parts.push("Action " + (action ? action.name : "#" + (Number(m[1]) + 1)));
      rest = rest.slice(m[0].length);
      if ((m = /^steps\[(\d+)\]\.?/.exec(rest))) {
        var step = action && action.steps[Number(m[1])];
        parts.push("step " + (Number(m[1]) + 1) + (step ? " (" + kindLabel(step.type) + ")" : ""));
        rest = rest.slice(m[0].length);
      }
    } else if ((m = /^(fields|stages)\[(\d+)\]\.?/.exec(rest))) {
      var list = draft[m[1]];
      var item = list && list[Number(m[2])];
      parts.push((m[1] === "fields" ? "Field " : "Stage ") + (item ? item.name : "#" + (Number(m[2]) + 1)));
      rest = rest.slice(m[0].length);
    }
    if (rest) {
      parts.push(rest);
    }
    return parts.join(" › ");
  }

  function showSummary(message) {
    summary.textContent = "";
    var keys = Object.keys(errors);
    if (!keys.length && !message) {
      return;
    }
    var box = el("div", { class: "alert", role: "alert" }, [el("p", { text: message || "The workflow was not saved:" })]);
    if (keys.length) {
      box.appendChild(
        el(
          "ul",
          {},
          keys.map(function (k) {
            return el("li", {}, [
              el("a", {
                href: "#",
                text: human(k) + ": " + errors[k].join("; "),
                onclick: function (e) {
                  e.preventDefault();
                  var m = /^actions\[(\d+)\]/.exec(k);
                  if (m && draft.actions[Number(m[1])]) {
                    selected = Number(m[1]);
                    render();
                  }
                  var target = root.querySelector("[aria-invalid=true], .invalid");
                  for (var p = k; p; p = parent(p)) {
                    var t = root.querySelector('[data-path="' + cssEscape(p) + '"]');
                    if (t) {
                      target = t;
                      break;
                    }
                  }
                  if (target) {
                    if (!target.matches("input, select, button, a")) {
                      target.setAttribute("tabindex", "-1");
                    }
                    target.focus();
                  }
                }
              })
            ]);
          })
        )
      );
    }
    summary.appendChild(box);
  }

  // ---- saving

  /** The definition as the API takes it, from the draft. */
  function definition() {
    return {
      version: draft.version,
      name: (draft.name || "").trim(),
      app_id: draft.app_id,
      fields: draft.fields.map(function (f) {
        var out = { id: f.id, name: (f.name || "").trim(), type: f.type, required: !!f.required };
        if (f.type === "choice") {
          out.choices = f.choices || [];
        }
        return out;
      }),
      unique_field: draft.unique_field || null,
      stages: draft.stages.map(function (s) {
        return { id: s.id, name: (s.name || "").trim(), end: !!s.end };
      }),
      actions: draft.actions.map(function (a) {
        return {
          id: a.id,
          name: (a.name || "").trim(),
          roles: a.roles || [],
          users: a.users || [],
          stages: a.stages || [],
          requirements: a.requirements || [],
          steps: a.steps
        };
      })
    };
  }

  function save() {
    var body = new URLSearchParams();
    body.set("csrf", csrf);
    body.set("definition", JSON.stringify(definition()));
    saveButton.disabled = true;
    saveButton.setAttribute("aria-busy", "true");
    status("Saving…");
    fetch(data.save, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    })
      .then(function (r) {
        return r.text().then(function (text) {
          var json = null;
          if ((r.headers.get("Content-Type") || "").indexOf("application/json") === 0) {
            try {
              json = JSON.parse(text);
            } catch (e) {
              json = null;
            }
          }
          return { ok: r.ok, status: r.status, json: json, text: text };
        });
      })
      .then(function (a) {
        if (a.ok && a.json) {
          if (!draft.id) {
            dirty = false;
            location.assign("/ui/workflows/" + a.json.id + "/builder?saved=" + a.json.version);
            return;
          }
          draft = a.json;
          errors = {};
          dirty = false;
          summary.textContent = "";
          versionLabel.textContent = "Version " + draft.version;
          render();
          status("Saved: version " + draft.version + ".");
          return;
        }
        if (a.json && a.json.errors) {
          errors = a.json.errors;
          dirty = true;
          render();
          var n = Object.keys(errors).length;
          showSummary();
          status("Not saved: " + n + (n === 1 ? " problem, shown by its field." : " problems, shown by their fields."));
          return;
        }
        var message = a.json && a.json.message;
        if (!message) {
          var doc = new DOMParser().parseFromString(a.text, "text/html");
          var why = doc.querySelector("main p");
          message = why ? why.textContent : "HTTP " + a.status;
        }
        errors = {};
        render();
        showSummary("Not saved: " + message);
        status("Not saved.");
      })
      .catch(function () {
        status("Could not reach the server. Nothing was saved; try again.");
      })
      .finally(function () {
        saveButton.removeAttribute("aria-busy");
        saveButton.disabled = !dirty;
      });
  }

  saveButton.addEventListener("click", save);
  window.addEventListener("beforeunload", function (e) {
    if (dirty) {
      e.preventDefault();
      e.returnValue = "";
    }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && menuOpen) {
      menuOpen = false;
      render();
      var b = root.querySelector('[data-key="new-step"]');
      if (b) {
        b.focus();
      }
    }
  });

  if (!draft.id) {
    dirty = true;
    saveButton.disabled = false;
  }
  var savedAs = new URLSearchParams(location.search).get("saved");
  render();
  if (savedAs) {
    status("Saved: version " + savedAs + ".");
  }
})();
